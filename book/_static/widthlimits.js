// Nothing here yet but a hook for the book's small page behaviours.
