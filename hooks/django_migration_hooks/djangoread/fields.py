"""Django's field classes and `Meta` options, as data: what the static readers know of Django.

Field kinds, constructor parameters and their defaults, the options migrations record, the
Django base classes a project model may derive from, and the names that mark a class as not a
model. Signatures compared against these tables are `ast.dump` strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

FieldKind = Literal["column", "m2m", "none"]  # local field, many-to-many, no column

# field class name -> kind: "column" (local field), "m2m", "none" (no column, not in migrations)
DJANGO_FIELDS: dict[str, FieldKind] = {
    **dict.fromkeys(
        [
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "BigIntegerField",
            "BinaryField",
            "BooleanField",
            "CharField",
            "CommaSeparatedIntegerField",
            "DateField",
            "DateTimeField",
            "DecimalField",
            "DurationField",
            "EmailField",
            "FileField",
            "FilePathField",
            "FloatField",
            "GenericIPAddressField",
            "IPAddressField",
            "ImageField",
            "IntegerField",
            "JSONField",
            "NullBooleanField",
            "PositiveBigIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "SlugField",
            "SmallIntegerField",
            "TextField",
            "TimeField",
            "URLField",
            "UUIDField",
            "GeneratedField",
            "ForeignKey",
            "OneToOneField",
            "ForeignObject",
            "Field",
            "ArrayField",
            "HStoreField",
            "CICharField",
            "CIEmailField",
            "CITextField",
            "BigIntegerRangeField",
            "DecimalRangeField",
            "DateTimeRangeField",
            "DateRangeField",
            "IntegerRangeField",
            "SearchVectorField",
            "GeometryField",
            "PointField",
            "LineStringField",
            "PolygonField",
            "MultiPointField",
            "MultiLineStringField",
            "MultiPolygonField",
            "GeometryCollectionField",
            "RasterField",
        ],
        "column",
    ),
    "ManyToManyField": "m2m",
    "GenericForeignKey": "none",
    "GenericRelation": "none",
}
RELATION_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject"})

# positional parameters of the Django field constructors (after `self`)
POSITIONAL: dict[str, tuple[str, ...]] = {
    "DecimalField": ("verbose_name", "name", "max_digits", "decimal_places"),
    "ForeignKey": (
        "to",
        "on_delete",
        "related_name",
        "related_query_name",
        "limit_choices_to",
        "parent_link",
        "to_field",
        "db_constraint",
    ),
    "OneToOneField": ("to", "on_delete", "to_field"),
    "ManyToManyField": (
        "to",
        "related_name",
        "related_query_name",
        "limit_choices_to",
        "symmetrical",
        "through",
        "through_fields",
        "db_constraint",
        "db_table",
        "swappable",
    ),
    "FileField": ("verbose_name", "name", "upload_to", "storage"),
    "ImageField": ("verbose_name", "name", "width_field", "height_field"),
    "DateField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "DateTimeField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "TimeField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "GenericIPAddressField": ("verbose_name", "name", "protocol", "unpack_ipv4"),
    "ArrayField": ("base_field", "size"),
}
DEFAULT_POSITIONAL = ("verbose_name", "name")

# keyword values equal to the default: Field.deconstruct() leaves them out, so writing them changes
# nothing in a migration
FALSE = "Constant(value=False)"
TRUE = "Constant(value=True)"
NONE = "Constant(value=None)"
DEFAULT_KWARGS: dict[str, frozenset[str]] = {
    "null": frozenset({FALSE}),
    "blank": frozenset({FALSE}),
    "unique": frozenset({FALSE}),
    "primary_key": frozenset({FALSE}),
    "editable": frozenset({TRUE}),
    "serialize": frozenset({TRUE}),
    "help_text": frozenset({"Constant(value='')"}),
    "db_column": frozenset({NONE}),
    "db_comment": frozenset({NONE}),
    "db_tablespace": frozenset({NONE}),
    "choices": frozenset({NONE}),
    "validators": frozenset({"List(elts=[], ctx=Load())", "Tuple(elts=[], ctx=Load())"}),
    "unique_for_date": frozenset({NONE}),
    "unique_for_month": frozenset({NONE}),
    "unique_for_year": frozenset({NONE}),
    "verbose_name": frozenset({NONE}),
    "related_name": frozenset({NONE}),
    "related_query_name": frozenset({NONE}),
    "to_field": frozenset({NONE}),
    "db_constraint": frozenset({TRUE}),
    "auto_now": frozenset({FALSE}),
    "auto_now_add": frozenset({FALSE}),
    "limit_choices_to": frozenset({NONE}),
}
INDEXED_BY_DEFAULT = frozenset({"ForeignKey", "OneToOneField", "SlugField", "ForeignObject"})

# Meta options Django records in migrations (django.db.models.options.DEFAULT_NAMES without
# app_label, apps, auto_created, db_tablespace, required_db_features/vendor)
RECORDED_OPTIONS = frozenset(
    {
        "verbose_name",
        "verbose_name_plural",
        "db_table",
        "db_table_comment",
        "ordering",
        "unique_together",
        "index_together",
        "permissions",
        "get_latest_by",
        "order_with_respect_to",
        "managed",
        "proxy",
        "swappable",
        "default_permissions",
        "select_on_save",
        "default_related_name",
        "base_manager_name",
        "default_manager_name",
        "indexes",
        "constraints",
    }
)
# options the autodetector compares for proxy and unmanaged models too
ALTER_OPTIONS = frozenset(
    {
        "base_manager_name",
        "default_manager_name",
        "default_related_name",
        "get_latest_by",
        "managed",
        "ordering",
        "permissions",
        "default_permissions",
        "select_on_save",
        "verbose_name",
        "verbose_name_plural",
        "db_table",
        "db_table_comment",
    }
)

MODEL_ROOTS = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
# abstract Django models (or mixins) a project model may inherit from: their fields
KNOWN_ABSTRACT: dict[str, Sequence[str]] = {
    "django.contrib.auth.models.AbstractUser": [
        "password",
        "last_login",
        "is_superuser",
        "groups",
        "user_permissions",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
    ],
    "django.contrib.auth.models.AbstractBaseUser": ("password", "last_login"),
    "django.contrib.auth.base_user.AbstractBaseUser": ("password", "last_login"),
    "django.contrib.auth.models.PermissionsMixin": ("is_superuser", "groups", "user_permissions"),
    "django.contrib.sessions.base_session.AbstractBaseSession": (
        "session_key",
        "session_data",
        "expire_date",
    ),
}
KNOWN_MANAGERS: dict[str, bool] = {  # dotted -> use_in_migrations
    "django.db.models.Manager": False,
    "django.db.models.manager.Manager": False,
    "django.db.models.manager.BaseManager": False,
    "django.contrib.auth.models.UserManager": True,
    "django.contrib.auth.base_user.BaseUserManager": False,
    "django.contrib.sites.models.SiteManager": True,
}
CHOICES_ROOTS = frozenset(
    {
        "django.db.models.TextChoices",
        "django.db.models.IntegerChoices",
        "django.db.models.Choices",
        "django.db.models.enums.TextChoices",
        "django.db.models.enums.IntegerChoices",
        "django.db.models.enums.Choices",
    }
)
TRANSLATIONS = frozenset(
    {"gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "gettext_noop", "ugettext_noop"}
)
NON_FIELDS = frozenset(
    {
        "property",
        "cached_property",
        "classmethod",
        "staticmethod",
        "functools.cached_property",
        "django.utils.functional.cached_property",
        "functools.partialmethod",
    }
)


# Meta options of forms, serializers and filter sets: a class using them is not a model
NOT_MODEL_META = frozenset(
    {
        "model",
        "fields",
        "exclude",
        "widgets",
        "labels",
        "help_texts",
        "error_messages",
        "field_classes",
        "localized_fields",
        "read_only_fields",
        "extra_kwargs",
        "depth",
        "list_serializer_class",
        "filter_overrides",
        "interfaces",
    }
)
NOT_MODEL_SUFFIXES = ("Manager", "QuerySet", "Form", "FormSet", "Serializer", "Admin", "View")
# modules whose classes are never enumerated as models (Django imports apps.py before models can
# be defined; the others hold admin, URL, view, form and serializer code)
NOT_MODEL_MODULES = frozenset(
    {
        "apps.py",
        "admin.py",
        "urls.py",
        "views.py",
        "forms.py",
        "serializers.py",
        "settings.py",
        "wsgi.py",
        "asgi.py",
        "manage.py",
    }
)
DEFAULT_MANAGER = "<default manager>"
MODEL_MARKERS = ("Model", "models", "Field", "Meta", "Manager")
