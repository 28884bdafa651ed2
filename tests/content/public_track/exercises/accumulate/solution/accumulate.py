def accumulate(collection, operation):
    results = []
    for item in collection:
        results.append(operation(item))
    return results
