"""Every rule the stylesheet linter reports: its id, default severity, whether it has a safe fix, and its
documentation (``themestudio lint --explain RULE``, SARIF rule metadata)."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.css import safety
from studio.core.diagnostics import Severity


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """What a rule checks and why it matters.

    Attributes:
        id: the stable rule id in diagnostics.
        severity: the severity its findings have.
        summary: one line.
        explanation: a paragraph: what is wrong, why a browser cares, what to do; with an example.
        fixable: True when ``--fix`` (and the studio's quick fix) can repair some findings safely.
    """

    id: str
    severity: Severity
    summary: str
    explanation: str
    fixable: bool = False


_E, _W, _H = Severity.ERROR, Severity.WARNING, Severity.HINT

RULES: dict[str, RuleDoc] = {
    r.id: r
    for r in (
        RuleDoc(
            "syntax",
            _E,
            "The stylesheet does not parse.",
            "A browser skips what it cannot parse, often far more than the broken spot: an unclosed '{' or "
            "comment swallows every rule after it. Fix the reported token.",
        ),
        RuleDoc(
            "encoding",
            _E,
            "The file is not valid UTF-8.",
            "Browsers read theme.css as UTF-8; other bytes turn into replacement characters. Save it as "
            "UTF-8.",
        ),
        RuleDoc(
            "unknown-property",
            _W,
            "A property no browser knows.",
            "Browsers drop declarations of unknown properties. Usually a typo ('colr'); vendor-prefixed "
            "names (-webkit-...) are never reported.",
        ),
        RuleDoc(
            "invalid-value",
            _W,
            "A value outside its property's grammar.",
            "Each value is matched against the property's CSS Value Definition Syntax from the W3C data "
            "(@webref/css). A value that does not fit makes the browser drop the whole declaration: "
            "'display: flexbox', 'transition: opacity 2' (a time needs a unit), 'transform: rotate(45)' "
            "(an angle needs deg). Values using var(), env() or attr() are only judged once resolved; "
            "vendor-prefixed keywords and IE hacks are accepted as browsers do.",
        ),
        RuleDoc(
            "undefined-variable",
            _W,
            "var() of a custom property defined nowhere.",
            "Without a definition or a fallback the declaration becomes invalid at computed-value time. "
            "Define the property or write var(--name, fallback).",
        ),
        RuleDoc(
            "duplicate-declaration",
            _W,
            "A declaration that a later one in the same block makes dead.",
            "An earlier declaration of the same property still matters only as a fallback for browsers "
            "that reject the later value (display: -webkit-box; display: flex). An identical repeat, a "
            "custom property declared twice (custom property names are case-sensitive: --Gap and --gap "
            "differ) or a value every browser understands make the earlier one dead. Fix: remove an "
            "identical earlier declaration.",
            fixable=True,
        ),
        RuleDoc(
            "shorthand-override",
            _W,
            "A shorthand resets a longhand set earlier in the same block.",
            "'background-color: blue; background: red' — the shorthand resets background-color, so the "
            "first declaration has no effect. Put the longhand after the shorthand, or drop it.",
        ),
        RuleDoc("empty-rule", _W, "A rule with no declarations.", "It does nothing; remove it or fill it."),
        RuleDoc(
            "extra-semicolon",
            _W,
            "An empty declaration (';;').",
            "Harmless to browsers but a sign of a deleted declaration. Fix: remove the extra ';'.",
            fixable=True,
        ),
        RuleDoc(
            "missing-asset",
            _W,
            "url() of a file missing from the theme folder.",
            "The browser gets a 404. Add the file under the theme folder or fix the path.",
        ),
        RuleDoc(
            "unknown-pseudo-class",
            _W,
            "A pseudo-class no browser knows (':hovr').",
            "A selector with an unknown pseudo-class is invalid, so the whole rule is dropped (in a "
            "selector list, every selector of it). Vendor-prefixed ones (:-moz-focusring) are allowed.",
        ),
        RuleDoc(
            "unknown-pseudo-element",
            _W,
            "A pseudo-element no browser knows ('::befor').",
            "The whole rule is dropped. Vendor-prefixed ones (::-webkit-scrollbar) are allowed.",
        ),
        RuleDoc(
            "selector-never-matches",
            _W,
            "A selector that can never match anything.",
            "':root' is the document's root element: it has no parent or sibling, so 'x :root' or "
            "'x > :root' never matches. Remove what precedes :root.",
        ),
        RuleDoc(
            "unknown-media-feature",
            _W,
            "A media feature no browser knows ('max-widht').",
            "An unknown feature makes its media query false (the rules inside never apply). Names come "
            "from the W3C data; min-/max- prefixes of range features and vendor prefixes are allowed.",
        ),
        RuleDoc(
            "invalid-media-query",
            _W,
            "A media query that does not parse as one.",
            "Browsers treat a malformed query as 'not all': the block never applies. Features go in "
            "parentheses: '@media screen and (max-width: 600px)'.",
        ),
        RuleDoc(
            "import-after-rules",
            _W,
            "@import after other rules.",
            "Browsers ignore @import unless only @charset and @layer statements come before it.",
        ),
        RuleDoc(
            "keyframes-important",
            _W,
            "!important inside @keyframes.",
            "Declarations marked !important in a keyframe are ignored by browsers. Fix: remove the "
            "declaration (it has no effect).",
            fixable=True,
        ),
        RuleDoc(
            "unknown-at-rule",
            _W,
            "An at-rule no browser knows ('@meida').",
            "Browsers skip unknown at-rules with their whole block. Vendor-prefixed ones are allowed.",
        ),
        RuleDoc(
            "undefined-keyframes",
            _W,
            "An animation name with no @keyframes of that name.",
            "The animation does nothing. Define '@keyframes NAME' or fix the name (names are "
            "case-sensitive).",
        ),
        RuleDoc(
            "unused-keyframes",
            _H,
            "@keyframes that nothing in the stylesheet uses.",
            "A hint: it may be used by other stylesheets or scripts; otherwise it is dead weight.",
        ),
        RuleDoc(
            "font-family-no-generic",
            _W,
            "A font-family list without a generic family.",
            "When none of the listed fonts is available the browser falls back to its default font, "
            "usually a serif. End the list with a generic family (sans-serif, serif, monospace...). Fix: "
            "append one (monospace for code-like names, serif for serif-like ones, else sans-serif); this "
            "changes nothing where a listed font is available.",
            fixable=True,
        ),
        RuleDoc(
            "calc-operator-spacing",
            _W,
            "'+' or '-' in calc() without spaces around it.",
            "'calc(100%-10px)' and 'calc(100% -10px)' are invalid: the '-' is read as the sign of '-10px', "
            "so the declaration is dropped. Fix: put one space on each side of the operator.",
            fixable=True,
        ),
        RuleDoc(
            "double-slash-comment",
            _W,
            "'//' is not a comment in CSS.",
            "CSS has only /* */ comments. '//' makes the browser drop the next declaration (or, before a "
            "rule, the rule's selector). Use /* ... */.",
        ),
        RuleDoc(
            safety.REMOTE_IMPORT,
            _E,
            "@import of a remote or data: stylesheet.",
            "A published theme must stand alone; bundle the file or trust its origin (allowed_origins).",
        ),
        RuleDoc(
            safety.REMOTE_URL,
            _E,
            "url() outside the theme.",
            "A published theme must stand alone; copy the file into assets/ or trust its origin.",
        ),
        RuleDoc(
            safety.SCRIPT_URL, _E, "A javascript: (or script data:) URL.", "It can run script; remove it."
        ),
        RuleDoc(
            safety.OUTSIDE_THEME,
            _E,
            "A path leaving the theme folder.",
            "Absolute paths and '..' above the theme folder break once published; keep assets inside.",
        ),
        RuleDoc(
            safety.LEGACY_SCRIPT,
            _E,
            "expression(), behavior or -moz-binding.",
            "They run script in old browsers; remove them.",
        ),
        RuleDoc(
            safety.TOO_LARGE,
            _E,
            "The stylesheet is larger than 5 MiB.",
            "Remove unused rules or move large data: URIs into asset files.",
        ),
    )
}


def explain(rule_id: str) -> str | None:
    """The documentation of a rule as plain text, or None when there is no such rule."""
    doc = RULES.get(rule_id)
    if doc is None:
        return None
    fix = "yes (themestudio lint --fix)" if doc.fixable else "no"
    return f"{doc.id} ({doc.severity.value})\n{doc.summary}\n\n{doc.explanation}\n\nAutomatic fix: {fix}\n"
