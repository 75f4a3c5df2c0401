"""The page checks themselves (console.py) catch what they are there to catch: a control without
a label, and a page wider than the 1366 px screen. Run on the real sign-in page, with one
fault added to it at a time."""

import pytest


def add(console, html):
    console.driver.execute_script("document.querySelector('main').insertAdjacentHTML('beforeend', arguments[0])", html)


def test_the_page_checks_refuse_an_unlabelled_control_and_a_page_wider_than_the_screen(console):
    console.go("/console/sign-in")
    console.check("sign-in")

    add(console, '<input type="text" name="typed" id="typed">')
    with pytest.raises(AssertionError, match="without a label"):
        console.check("check-unlabelled")
    add(console, '<label for="typed">Typed</label>')
    console.check("check-labelled")

    add(console, '<select name="no-label"><option>1</option></select>')
    with pytest.raises(AssertionError, match="without a label"):
        console.check("check-unlabelled-select")
    console.go("/console/sign-in")

    add(console, '<div style="width: 1500px">wide</div>')
    with pytest.raises(AssertionError, match="1366 px"):
        console.check("check-wide")
