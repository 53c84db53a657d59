"""The ThemeSystem API service (see DESIGN section 4)."""
