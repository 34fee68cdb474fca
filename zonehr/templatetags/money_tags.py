"""{% load money_tags %}: amounts on pages as finance writes them."""

from django import template

from zonehr import money

register = template.Library()


@register.filter
def yuan(amount) -> str:
    """12,345.67; empty for no amount."""
    return "" if amount is None or amount == "" else money.grouped(amount)
