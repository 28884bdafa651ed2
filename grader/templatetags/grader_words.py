"""`{% verdict_words %}`: the words of a result (grader/vocabulary.py) as a JSON
script element, for the exercise page's script to read instead of a copy."""

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from grader.vocabulary import verdict_words as words

register = template.Library()

ELEMENT_ID = "lectern-verdict-words"


@register.simple_tag
def verdict_words() -> SafeString:
    return json_script(words(), ELEMENT_ID)
