"""graphtui's widgets, one per file; they get state pushed down and post messages up."""
