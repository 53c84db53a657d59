"""CSS analysis on tinycss2: diagnostics, safety rules, custom-property index, colours."""
