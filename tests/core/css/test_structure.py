from studio.core.css.structure import StructureTracker


def test_complete_and_incomplete_sheets() -> None:
    tracker = StructureTracker()
    assert tracker.is_complete("")
    assert tracker.is_complete(":root { --a: red; }\n.b { color: var(--a) }")
    assert not tracker.is_complete(":root { --a: red; }\n.b { color: var(--a)")
    assert not tracker.is_complete(":root { --a: red; }\n/* .b { color: var(--a) }")
    assert not tracker.is_complete(".a { .b { color: red } \n.c { color: blue }")
    assert tracker.is_complete(".a { .b { color: red } }\n.c { color: blue }")


def test_incremental_checks_follow_each_edit() -> None:
    tracker = StructureTracker()
    text = "".join(f".r{i} {{ color: red; }}\n" for i in range(200))
    assert tracker.is_complete(text)
    middle = text.index(".r100")
    broken = text[:middle] + "{" + text[middle:]
    assert not tracker.is_complete(broken)
    assert tracker.is_complete(text)
    assert not tracker.is_complete(text + '.x { content: "}" ')
    assert tracker.is_complete(text + '.x { content: "}" }')
