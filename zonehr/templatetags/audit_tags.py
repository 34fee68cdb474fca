from django import template

from staffing.national_id import mask

register = template.Library()

# Values that only the HR officer may read in full, wherever the audit trail shows them.
MASKED_FIELDS = {"national_id": mask}


@register.simple_tag
def audit_changes(entry) -> list[tuple[str, str, str]]:
    """(field, before, after) of an entry, with personal identifiers masked."""
    rows = []
    for field, values in (entry.changes_dict or {}).items():
        before, after = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        hide = MASKED_FIELDS.get(field)
        if hide:
            before, after = (hide(str(v)) if v else v for v in (before, after))
        rows.append((field, before, after))
    return rows
