"""The rules each sector's input obeys, one module per sector, shared by its form, API and Excel import."""
