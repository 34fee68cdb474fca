from django import template

from staffing.national_id import mask

register = template.Library()


@register.simple_tag
def national_id(person, full: bool) -> str:
    """The national ID in full for HR officers, masked for everyone else."""
    return person.national_id if full else mask(person.national_id)
