"""djangoread.models: model classes read with ast (fields, Meta, managers, bases, unknowns)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from django_migration_hooks.djangoread.apps import find_apps
from django_migration_hooks.djangoread.models import ModelIndex
from django_migration_hooks.djangoread.records import Model
from django_migration_hooks.djangoread.trees import DiskTree, GitTree, SourceTree
from tests.conftest import git, git_commit, write

APP = {
    "shop/__init__.py": "",
    "shop/apps.py": (
        "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n"
        '    name = "shop"\n    label = "store"\n'
    ),
}


def models_of(tree: SourceTree, signatures: bool = True) -> dict[str, Model]:
    apps = find_apps(tree.paths, tree.read)
    index = ModelIndex(tree, apps, signatures=signatures)
    return {m.name: m for app in apps for m in index.app_models(app)}


def read(root: Path, files: Mapping[str, str | bytes]) -> dict[str, Model]:
    write(root, {**APP, **files})
    return models_of(DiskTree(str(p.relative_to(root)) for p in root.rglob("*.py")))


def test_fields_kinds_and_generic_relations(git_repo: Path) -> None:
    found = read(
        git_repo,
        {
            "shop/models.py": (
                "from django.contrib.contenttypes.fields import GenericForeignKey, "
                "GenericRelation\n"
                "from django.db import models\n"
                "from django.db.models import CharField\n\n\n"
                "class Tag(models.Model):\n"
                "    name = CharField(max_length=10)\n\n\n"
                "class Item(models.Model):\n"
                '    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")\n'
                "    tags = models.ManyToManyField(Tag)\n"
                "    target = GenericForeignKey()\n"
                '    notes = GenericRelation("Note")\n'
                "    size: int = models.IntegerField()\n"
                "    LIMIT = 5\n"
            )
        },
    )
    item = found["Item"]
    assert item.label == "store"
    assert {n: (f.kind, f.type_name, f.line, f.col) for n, f in item.fields.items()} == {
        "tag": ("column", "ForeignKey", 11, 5),
        "tags": ("m2m", "ManyToManyField", 12, 5),
        "size": ("column", "IntegerField", 15, 5),
    }
    assert (item.unknown, item.incomplete) == ("", [])
    assert found["Tag"].fields["name"].type_name == "CharField"


def test_abstract_bases_mixins_and_meta_inheritance(git_repo: Path) -> None:
    found = read(
        git_repo,
        {
            "shop/base.py": (
                "from django.db import models\n\n\n"
                "class Stamped(models.Model):\n"
                "    created = models.DateTimeField(auto_now_add=True)\n"
                "    hidden = models.IntegerField()\n\n"
                "    class Meta:\n"
                "        abstract = True\n"
                '        ordering = ["-created"]\n\n\n'
                "class Printable:\n"
                "    printed = models.BooleanField()  # not inherited: not a model\n"
            ),
            "shop/models.py": (
                "from django.db import models\n\n"
                "from .base import Printable, Stamped\n\n\n"
                "class Plain(Printable, Stamped):\n"
                "    hidden = None\n\n\n"
                "class Extended(Stamped):\n"
                "    class Meta(Stamped.Meta):\n"
                '        verbose_name = "ext"\n\n\n'
                "class Own(Stamped):\n"
                "    class Meta:\n"
                '        verbose_name = "own"\n'
            ),
        },
    )
    assert found["Stamped"].abstract
    plain, extended, own = found["Plain"], found["Extended"], found["Own"]
    assert sorted(plain.fields) == ["created"]
    assert plain.fields["created"].path == "shop/base.py"
    assert not plain.abstract
    assert sorted(plain.options) == ["ordering"]  # Meta inherited without `abstract`
    assert sorted(extended.options) == ["ordering", "verbose_name"]
    assert sorted(own.options) == ["verbose_name"]
    assert sorted(own.fields) == ["created", "hidden"]


def test_custom_fields_managers_inheritance_kinds(git_repo: Path) -> None:
    found = read(
        git_repo,
        {
            "shop/fields.py": (
                "from django.db import models\n\n\n"
                "class Money(models.DecimalField):\n    pass\n\n\n"
                "class Cents(Money):\n    pass\n"
            ),
            "shop/models.py": (
                "from django.contrib.auth.models import UserManager\n"
                "from django.db import models\n\n"
                "from shop import fields\n\n\n"
                "class Kept(models.Manager):\n"
                "    use_in_migrations = True\n\n\n"
                "class Product(models.Model):\n"
                "    price = fields.Cents(max_digits=5, decimal_places=2)\n"
                "    objects = models.Manager()\n"
                "    kept = Kept()\n"
                "    users = UserManager()\n\n\n"
                "class Special(Product):\n"
                "    level = models.IntegerField()\n\n\n"
                "class Cheap(Product):\n"
                "    class Meta:\n"
                "        proxy = True\n\n\n"
                "class Legacy(models.Model):\n"
                "    class Meta:\n"
                "        managed = False\n"
            ),
        },
    )
    product = found["Product"]
    assert product.fields["price"].type_name == "DecimalField"
    assert sorted(product.managers) == ["kept", "users"]
    assert found["Special"].parents == ["store.product"]
    assert found["Special"].fields.keys() == {"level"}
    assert (found["Cheap"].proxy, found["Cheap"].fields) == (True, {})
    assert found["Legacy"].managed is False


UNKNOWN = [
    pytest.param(
        "from model_utils.models import TimeStampedModel\n\n\n"
        "class Post(TimeStampedModel):\n    pass\n",
        "a base class is not resolvable",
        id="third_party_base",
    ),
    pytest.param(
        "from django.db import models\n\n\n"
        "class Post(models.Model):\n"
        "    for i in range(3):\n"
        "        locals()[f'f{i}'] = models.IntegerField()\n",
        "the class body has dynamic statements",
        id="dynamic_body",
    ),
    pytest.param(
        "from django.db import models\n\n\n"
        "class Post(models.Model):\n"
        "    class Meta:\n"
        '        swappable = "POST_MODEL"\n',
        "swappable model",
        id="swappable",
    ),
    pytest.param(
        "from django.db import models\n\nfrom .conf import BaseMeta\n\n\n"
        "class Post(models.Model):\n"
        "    class Meta(BaseMeta):\n"
        "        pass\n",
        "Meta base BaseMeta is not resolvable",
        id="meta_base",
    ),
]


@pytest.mark.parametrize(("source", "reason"), UNKNOWN)
def test_unresolvable_model_is_unknown(git_repo: Path, source: str, reason: str) -> None:
    assert read(git_repo, {"shop/models.py": source})["Post"].unknown == reason


def test_third_party_attribute_is_incomplete(git_repo: Path) -> None:
    post = read(
        git_repo,
        {
            "shop/models.py": (
                "from django.db import models\nfrom taggit.managers import TaggableManager\n\n\n"
                "class Post(models.Model):\n"
                "    tags = TaggableManager()\n"
                "    title = property(lambda self: 1)\n"
            )
        },
    )["Post"]
    assert (post.unknown, post.incomplete, post.fields) == ("", ["tags"], {})


def test_forms_and_plain_classes_are_not_models(git_repo: Path) -> None:
    found = read(
        git_repo,
        {
            "shop/forms.py": (
                "from django import forms\nfrom thirdparty import FancyForm\n\n\n"
                "class A(forms.ModelForm):\n    class Meta:\n        fields = []\n\n\n"
                "class B(FancyForm):\n    class Meta:\n        model = None\n"
            ),
            "shop/models.py": "class Helper:\n    pass\n",
        },
    )
    assert found == {}


def test_models_package_and_meta_app_label(git_repo: Path) -> None:
    found = read(
        git_repo,
        {
            "shop/models/__init__.py": "from .a import A\n",
            "shop/models/a.py": (
                "from django.db import models\n\n\n"
                "class A(models.Model):\n"
                "    x = models.IntegerField()\n\n"
                "    class Meta:\n"
                '        app_label = "other"\n'
            ),
        },
    )
    assert (found["A"].label, found["A"].path) == ("other", "shop/models/a.py")


def signatures(root: Path, source: str) -> dict[str, str]:
    write(root, {**APP, "shop/models.py": source})
    tree = DiskTree(["shop/__init__.py", "shop/apps.py", "shop/models.py"])
    model = models_of(tree)["P"]
    return {n: f.signature for n, f in model.fields.items()}


BASE = (
    "from django.db import models\nfrom django.utils.translation import gettext_lazy as _\n\n"
    "LIMIT = 10\n\n\n"
    "class P(models.Model):\n"
    '    a = models.CharField(_("A"), max_length=LIMIT)\n'
    "    b = models.ForeignKey('P', on_delete=models.CASCADE)\n"
)

SAME = [
    pytest.param(
        BASE.replace('_("A"), max_length=LIMIT', 'max_length=10, verbose_name="A"'),
        id="positional_keyword_constant_translation",
    ),
    pytest.param(
        BASE.replace("'P', on_delete=models.CASCADE", '"self", models.CASCADE'),
        id="self_reference_positional_on_delete",
    ),
    pytest.param(
        BASE.replace("max_length=LIMIT)", "max_length=LIMIT, blank=False)"), id="explicit_default"
    ),
    pytest.param(
        BASE.replace("on_delete=models.CASCADE)", "on_delete=models.CASCADE, db_index=True)"),
        id="foreign_key_indexed_by_default",
    ),
]
DIFFERENT = [
    pytest.param(BASE.replace("LIMIT = 10", "LIMIT = 11"), "a", id="constant_value"),
    pytest.param(BASE.replace('_("A")', '_("B")'), "a", id="verbose_name"),
    pytest.param(BASE.replace("models.CASCADE", "models.PROTECT"), "b", id="on_delete"),
    pytest.param(
        BASE.replace("max_length=LIMIT)", "max_length=LIMIT, db_index=True)"), "a", id="db_index"
    ),
]


@pytest.mark.parametrize("variant", SAME)
def test_signature_ignores_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert signatures(tmp_path, variant) == signatures(tmp_path, BASE)


@pytest.mark.parametrize(("variant", "field"), DIFFERENT)
def test_signature_sees_migration_relevant_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str, field: str
) -> None:
    monkeypatch.chdir(tmp_path)
    before, after = signatures(tmp_path, BASE), signatures(tmp_path, variant)
    assert [n for n in before if before[n] != after[n]] == [field]


def test_git_tree_reads_commit_and_index(git_repo: Path) -> None:
    write(git_repo, {**APP, "shop/models.py": "# v1\n"})
    head = git_commit(git_repo)
    write(git_repo, {"shop/models.py": "# v2\n"})
    git(git_repo, "add", "-A")
    write(git_repo, {"shop/models.py": "# v3\n"})
    committed, index = GitTree(head), GitTree("")
    try:
        assert committed.read("shop/models.py") == "# v1\n"
        assert index.read("shop/models.py") == "# v2\n"
        assert index.read("missing.py") is None
        index.read_many(["shop/apps.py", "shop/__init__.py"])
        assert index.read("shop/__init__.py") == ""
    finally:
        committed.close()
        index.close()


def test_blob_reader_stays_in_step_after_a_tree_or_a_missing_object(git_repo: Path) -> None:
    from django_migration_hooks.djangoread.trees import BlobReader

    write(git_repo, {**APP, "shop/models.py": "# v1\n"})
    head = git_commit(git_repo)
    tree_id = git(git_repo, "rev-parse", f"{head}:shop").strip()
    blob_id = git(git_repo, "rev-parse", f"{head}:shop/models.py").strip()
    reader = BlobReader()
    try:
        assert reader.read(tree_id) is None  # a tree: its content is skipped
        assert reader.read("0" * 40) is None
        assert reader.read(blob_id) == b"# v1\n"
        with pytest.raises(ValueError, match="not an object id"):
            reader.read(f"{head}:shop/models.py")
    finally:
        reader.close()
