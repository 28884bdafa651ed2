def accumulate(collection, operation):
    raise NotImplementedError("accumulate is not written yet")
