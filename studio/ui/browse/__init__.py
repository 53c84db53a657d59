"""Browse: the theme catalogue in the studio (View → Browse Themes, and the start page with no theme open)."""
