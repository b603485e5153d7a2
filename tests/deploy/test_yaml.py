from __future__ import annotations

import pytest

from django_migration_hooks._files import FileProblem
from django_migration_hooks.deploy._site import CommandSite
from django_migration_hooks.deploy._yaml import (
    Map,
    Seq,
    Str,
    argv_site,
    iter_yaml,
    load_json,
    load_yaml,
    strings,
    text_site,
    unique,
    walk,
)


def mapping(node: object) -> Map:
    assert isinstance(node, Map)
    return node


def where(value: object) -> tuple[str, int, int, int]:
    assert isinstance(value, Str)
    return str(value), value.line, value.col, value.end_line


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param(
            "run: python manage.py migrate\n", ("python manage.py migrate", 1, 6, 1), id="plain"
        ),
        pytest.param("run:   'a ''b'''\n", ("a 'b'", 1, 9, 1), id="single-quoted"),
        pytest.param('run: "  é\\"x"\n', ('  é"x', 1, 9, 1), id="double-quoted-leading-blank"),
        pytest.param(
            "run: |\n\n    first\n    second\n\nnext: 1\n",
            ("\nfirst\nsecond\n", 3, 5, 4),
            id="literal-block-first-content-line",
        ),
        pytest.param("run: >-\n  a\n  b\n", ("a b", 2, 3, 3), id="folded-block"),
        pytest.param("run: a\n  b\n", ("a b", 1, 6, 2), id="multi-line-plain"),
        pytest.param("run: x\r\nother: y\r\n", ("x", 1, 6, 1), id="crlf"),
        pytest.param("\ufeffrun: x\n", ("x", 1, 6, 1), id="bom"),
        pytest.param("run: &cmd python\n", ("python", 1, 11, 1), id="anchored"),
        pytest.param('run: !Sub "q"\n', ("q", 1, 12, 1), id="tagged-quoted"),
        pytest.param("run: &a\n  !Ref   z\n", ("z", 2, 10, 2), id="properties-then-next-line"),
        pytest.param("run: &a |\n  blk\n", ("blk\n", 2, 3, 2), id="anchored-block"),
    ),
)
def test_scalar_positions(text: str, expected: tuple[str, int, int, int]) -> None:
    (document,) = load_yaml("f.yml", text)
    assert isinstance(document, Map)
    assert where(document["run"]) == expected


def test_multi_document_stream() -> None:
    documents = load_yaml("f.yml", "a: 1\n---\nb: 2\n...\n---\n")
    assert [dict(d) if isinstance(d, Map) else d for d in documents] == [
        {"a": "1"},
        {"b": "2"},
        None,
    ]
    assert where(mapping(documents[1])["b"]) == ("2", 3, 4, 3)


def test_merge_keys_and_aliases_keep_anchor_positions() -> None:
    text = (
        ".base: &base\n"
        "  script: &cmd python manage.py migrate\n"
        "  stage: build\n"
        "job:\n"
        "  <<: *base\n"
        "  stage: deploy\n"
        "again: *cmd\n"
    )
    (document,) = load_yaml("f.yml", text)
    job = mapping(document)["job"]
    assert isinstance(job, Map)
    assert where(job["script"]) == ("python manage.py migrate", 2, 16, 2)
    assert where(job["stage"]) == ("deploy", 6, 10, 6)
    assert where(mapping(document)["again"]) == ("python manage.py migrate", 2, 16, 2)


def test_merge_key_with_list_of_mappings() -> None:
    text = "a: &a {x: 1}\nb: &b {x: 2, y: 3}\nc:\n  <<: [*a, *b]\n"
    (document,) = load_yaml("f.yml", text)
    assert dict(mapping(mapping(document)["c"])) == {"x": "1", "y": "3"}


@pytest.mark.parametrize(
    ("text", "tag"),
    (
        pytest.param("v: !reference [.setup, script]\n", "!reference", id="gitlab-reference"),
        pytest.param("v: !Ref Bucket\n", "!Ref", id="cloudformation-ref"),
        pytest.param("v: !Sub 'arn:${AWS::Region}'\n", "!Sub", id="cloudformation-sub"),
        pytest.param("v: !GetAtt [A, B]\n", "!GetAtt", id="cloudformation-getatt"),
        pytest.param(
            "v: !!python/object:os.system x\n",
            "tag:yaml.org,2002:python/object:os.system",
            id="python-tag",
        ),
    ),
)
def test_custom_tags_are_kept_not_constructed(text: str, tag: str) -> None:
    (document,) = load_yaml("f.yml", text)
    value = mapping(document)["v"]
    assert isinstance(value, Str | Seq)
    assert value.tag == tag


def test_null_values_are_none() -> None:
    (document,) = load_yaml("f.yml", "a:\nb: ~\nc: null\nd: ''\n")
    assert dict(mapping(document)) == {"a": None, "b": None, "c": None, "d": ""}


def _billion_laughs() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for name in "bcdefghi":
        previous = chr(ord(name) - 1)
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
    return text


@pytest.mark.parametrize(
    ("text", "message"),
    (
        pytest.param(
            _billion_laughs(),
            "f.yml: skipped, YAML aliases expand to more than 25000 nodes (alias bomb?)",
            id="alias-bomb",
        ),
        pytest.param(
            "a: &a\n  b: *a\n", "f.yml: skipped, recursive YAML alias", id="recursive-alias"
        ),
        pytest.param(
            "a: [1\nb: 2\n",
            "f.yml: skipped, invalid YAML: while parsing a flow sequence did not find expected "
            "',' or ']' (line 2, column 2)",
            id="unclosed-flow",
        ),
        pytest.param(
            "a: *nope\n",
            "f.yml: skipped, invalid YAML: found undefined alias (line 1, column 4)",
            id="undefined-alias",
        ),
        pytest.param(
            "[" * 5000 + "]" * 5000,
            "f.yml: skipped, invalid YAML: while increasing flow level exceeded maximum nesting "
            "depth (line 1, column 1001)",
            id="deep-nesting",
        ),
    ),
)
def test_bad_yaml_is_one_line_problem(text: str, message: str) -> None:
    with pytest.raises(FileProblem) as excinfo:
        load_yaml("f.yml", text)
    assert str(excinfo.value) == message


def test_deep_block_nesting_is_a_problem_not_a_crash() -> None:
    text = "".join(f"{' ' * i}k{i}:\n" for i in range(990)) + " " * 990 + "v: 1\n"
    with pytest.raises(FileProblem) as excinfo:
        load_yaml("f.yml", text)
    assert str(excinfo.value) in (
        "f.yml: skipped, YAML nested too deeply",
        "f.yml: skipped, invalid YAML: while increasing indent level exceeded maximum nesting "
        "depth (line 990, column 990)",
    )


# --- JSON -----------------------------------------------------------------------------------------


def test_json_positions_after_escapes() -> None:
    text = '{"a": ["\\u00e9\\"  x", 1, null, true],\n "b": {"c": "  d\\ud83d\\ude00"}}'
    document = load_json("f.json", text)
    assert isinstance(document, Map)
    a = document["a"]
    assert isinstance(a, Seq)
    assert [where(v) if v is not None else None for v in a] == [
        ('é"  x', 1, 9, 1),
        ("1", 1, 23, 1),
        None,
        ("true", 1, 32, 1),
    ]
    assert where(mapping(document["b"])["c"]) == ("  d\U0001f600", 2, 16, 2)
    assert (a.line, a.col) == (1, 7)


@pytest.mark.parametrize(
    ("text", "message"),
    (
        pytest.param(
            '{"a": 1,}',
            "f.json: skipped, invalid JSON: Expecting property name enclosed in double quotes "
            "(line 1, column 9)",
            id="trailing-comma",
        ),
        pytest.param(
            "", "f.json: skipped, invalid JSON: Expecting value (line 1, column 1)", id="empty"
        ),
        pytest.param(
            "[" * 100_000 + "]" * 100_000, "f.json: skipped, JSON nested too deeply", id="deep"
        ),
    ),
)
def test_bad_json_is_one_line_problem(text: str, message: str) -> None:
    with pytest.raises(FileProblem) as excinfo:
        load_json("f.json", text)
    assert str(excinfo.value) == message


# --- helpers --------------------------------------------------------------------------------------


def test_strings_flattens_nested_lists_but_not_references() -> None:
    (document,) = load_yaml(
        "f.yml", "s:\n  - a\n  - [b, [c]]\n  - !reference [.x, y]\n  - {k: v}\n"
    )
    assert strings(mapping(document)["s"]) == ["a", "b", "c"]
    assert strings(None) == []


def test_walk_visits_every_mapping_in_order() -> None:
    (document,) = load_yaml("f.yml", "a: {b: {c: 1}}\nd: [{e: 2}, [{f: 3}]]\n")
    assert [sorted(m) for m in walk(document)] == [["a", "d"], ["b"], ["c"], ["e"], ["f"]]


def test_site_helpers() -> None:
    first, second = Str("sh", 3, 5, 3), Str("-c", 2, 9, 4)
    assert argv_site([first, second], "ctx") == CommandSite(None, ("sh", "-c"), 2, 9, 4, "ctx")
    assert argv_site([], "ctx") is None
    assert text_site(Str("  ", 1, 1, 1), "ctx") is None
    site = text_site(Str("x", 1, 2, 1), "ctx")
    assert unique([site, None, site]) == [CommandSite("x", None, 1, 2, 1, "ctx")]


def test_alias_budget_is_shared_by_every_document_of_a_file() -> None:
    document = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for name in "bcd":
        document += f"{name}: &{name} [" + ",".join([f"*{chr(ord(name) - 1)}"] * 9) + "]\n"
    text = "---\n".join([document] * 60)  # 6561 expansions each: fine alone, not 60 times
    assert len(load_yaml("f.yml", document)) == 1
    with pytest.raises(FileProblem) as excinfo:
        load_yaml("f.yml", text)
    assert str(excinfo.value) == (
        "f.yml: skipped, YAML aliases expand to more than 25000 nodes (alias bomb?)"
    )


def test_iter_yaml_keep_skips_documents_without_building_them() -> None:
    text = "kind: A\nspec: {x: 1}\n---\nkind: B\ncommand: [run]\n---\nbad: *undefined_in_kept\n"
    documents = iter_yaml("f.yml", text, keep=lambda source: "command" in source)
    assert next(documents) is None
    second = next(documents)
    assert isinstance(second, Map)
    assert where(second["kind"]) == ("B", 4, 7, 4)
    with pytest.raises(FileProblem):  # skipping never hides invalid YAML
        next(documents)
