"""Design tokens in and out of a theme: DTCG 2025.10 (format, colour, resolver), Tokens Studio's legacy JSON.

Qt-free. Reading turns a file into ``model.Token`` objects (DTCG-shaped values, aliases kept as ``{path}``
strings) plus one ``model.Issue`` per problem; ``css`` maps tokens to custom properties and back; ``apply``
plans and applies an import to a theme's CSS; ``export`` writes tokens back.
"""
