"""The steps a publication can run, one module per family."""
