def two_fer(name="you"):
    return f"A slice for {name}, a slice for me."
