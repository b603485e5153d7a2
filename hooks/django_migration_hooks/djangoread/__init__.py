"""Django read without importing it: apps, models and migrations of a project, read with `ast`."""
