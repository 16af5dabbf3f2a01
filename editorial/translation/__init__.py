"""What translators do: translation state, completeness, memory, checks, the side-by-side
editor and PO files, with their forms, views and URLs."""
