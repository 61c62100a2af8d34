from contracts.lint.locate import Locator

TEXT = '{\n  "a": {\n    "b/c": [\n      1,\n      {"d": "x\\"y"}\n    ]\n  },\n  "e": null\n}\n'


def test_lines_of_pointers() -> None:
    locator = Locator(TEXT)
    assert locator.line("/a") == 2
    assert locator.line("/a/b~1c") == 3
    assert locator.line("/a/b~1c/0") == 4
    assert locator.line("/a/b~1c/1/d") == 5
    assert locator.line("/e") == 8
    assert locator.line("/a/b~1c/1/d/missing") == 5


def test_not_json_falls_back_to_line_one() -> None:
    assert Locator("openapi: 3.1.0\n").line("/openapi") == 1
