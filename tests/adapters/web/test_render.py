"""Reply → HTML: every user string escaped, only the renderer's own tags and attributes appear."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.web.render import avatar_colour, initials, render_reply, safe_href
from bot.core.replies import (
    Bar,
    Bars,
    Button,
    Buttons,
    Divider,
    Mention,
    Reply,
    b,
    code,
    context,
    fields,
    link,
    p,
    say,
    section,
)
from bot.leads.views import STATUS_ICONS

TAGS = {"div", "span", "strong", "code", "a", "dl", "dt", "dd", "button", "hr", "svg", "rect", "wbr"}
ATTRIBUTES = {
    "class",
    "href",
    "target",
    "rel",
    "type",
    "data-command",
    "data-prompt",
    "data-status",
    "viewbox",
    "preserveaspectratio",
    "aria-hidden",
    "x",
    "y",
    "width",
    "height",
    "rx",
}


class Parsed(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data


def assert_only_our_markup(html: str) -> Parsed:
    parsed = Parsed(html)
    for tag, attrs in parsed.tags:
        assert tag in TAGS, tag
        assert set(attrs) <= ATTRIBUTES, attrs
    return parsed


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_in_any_span_stays_text(text: str) -> None:
    reply = Reply(
        blocks=(
            section(p(text), b(text), code(text), Mention(name=text), link(text, text)),
            fields(("Contact", text), (text, p(text))),
            context(text),
            Buttons(buttons=(Button(label=text, command=text, prompt=text, style="danger"),)),
            Bars(title=text, bars=(Bar(label=text, value=1, maximum=2, caption=text),)),
        )
    )
    parsed = assert_only_our_markup(str(render_reply(reply)))
    for tag, attrs in parsed.tags:
        if tag == "button":
            assert attrs["data-command"] == text and attrs.get("data-prompt") == (text or None)
        if tag == "a":
            assert attrs["href"] == safe_href(text)
    if "`" not in text and not any(icon in text for icon in STATUS_ICONS.values()):  # those become code / chips
        assert text.replace("\r", "\n") in parsed.text.replace("\r", "\n")


def test_markup_and_pings_in_user_text_are_shown_literally() -> None:
    html = str(render_reply(say("Note: ", p("<!channel> @here <script>alert(1)</script>"))))
    assert "&lt;!channel&gt; @here &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and 'class="mention"' not in html


def test_button_attributes_cannot_be_broken_out_of() -> None:
    evil = 'lead accept L-1" onmouseover="alert(1)'
    html = str(render_reply(Reply(blocks=(Buttons(buttons=(Button(label="<b>Go</b>", command=evil),)),))))
    parsed = assert_only_our_markup(html)
    ((tag, attrs),) = [t for t in parsed.tags if t[0] == "button"]
    assert attrs["data-command"] == evil and "onmouseover" not in attrs
    assert "&lt;b&gt;Go&lt;/b&gt;" in html


def test_only_web_links_become_hrefs() -> None:
    assert safe_href("https://acme.example/deck") == "https://acme.example/deck"
    assert safe_href("/t/3") == "/t/3"
    for bad in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "vbscript:x",
        "http://[::1",
    ):
        assert safe_href(bad) is None, bad
    html = str(render_reply(say(link("click me", "javascript:alert(1)"))))
    assert "href" not in html and "click me" in html


def test_buttons_carry_their_style_and_prompt() -> None:
    html = str(
        render_reply(
            Reply(
                blocks=(
                    Buttons(
                        buttons=(
                            Button(label="Accept", command="lead accept L-7", style="primary"),
                            Button(
                                label="Reject",
                                command="lead reject L-7",
                                style="danger",
                                prompt="Why are you rejecting it?",
                            ),
                            Button(label="Show", command="lead show L-7"),
                        )
                    ),
                )
            )
        )
    )
    assert '<button type="button" class="btn btn-primary" data-command="lead accept L-7">Accept</button>' in html
    assert 'class="btn btn-danger" data-command="lead reject L-7" data-prompt="Why are you rejecting it?"' in html
    assert 'class="btn btn-secondary" data-command="lead show L-7"' in html


def test_status_lines_become_coloured_chips() -> None:
    for line, status, colour in (
        ("🟢 Accepted", "accepted", "chip-green"),
        ("🟡 Waiting to be accepted", "handed_off", "chip-amber"),
        ("🏆 Won", "won", "chip-gold"),
        ("↩️ Rejected", "rejected", "chip-red"),
        ("⛔ Lost", "lost", "chip-grey"),
        ("⚪ Unassigned", "unassigned", "chip-neutral"),
    ):
        html = str(render_reply(say(b("L-3 · Globex"), p("\n" + line))))
        assert f'<span class="chip {colour}" data-status="{status}">{line.split(" ", 1)[1]}</span>' in html
    html = str(render_reply(say(p("🟢 <b>x</b>"))))
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_email_addresses_may_wrap_after_the_at_sign() -> None:
    html = str(render_reply(Reply(blocks=(fields(("E-mail", "richard@piedpiper.example")),))))
    assert "<dd><span>richard@<wbr>piedpiper.example</span></dd>" in html
    assert "&lt;b&gt;@<wbr>x" in str(render_reply(say("<b>@x")))


def test_backticked_commands_render_as_code_and_stay_escaped() -> None:
    html = str(render_reply(say("Type `lead help` or `<i>x</i>` — ` unbalanced")))
    assert "<code>lead help</code>" in html and "<code>&lt;i&gt;x&lt;/i&gt;</code>" in html
    assert "` unbalanced" in html


def test_fields_bars_divider_and_refusals() -> None:
    reply = Reply(
        ok=False,
        blocks=(
            fields(("Owner", (Mention(name="Rita Alvarez", accounts={"slack": "U1"}),)), ("Status", "won")),
            Divider(),
            Bars(
                title="Funnel",
                bars=(
                    Bar(label="Approach", value=12, maximum=10),
                    Bar(label="Need", value=3, maximum=0, caption="3 leads"),
                ),
            ),
        ),
    )
    html = str(render_reply(reply))
    assert html.startswith('<div class="reply reply-refused">')
    assert '<dt>Owner</dt><dd><span class="mention">@Rita Alvarez</span></dd>' in html
    assert '<span class="chip chip-gold" data-status="won">won</span>' in html
    assert '<hr class="r-divider">' in html
    assert 'class="r-bar-fill" x="0" y="0" width="100.0"' in html  # clamped at the maximum
    assert 'width="0.0"' in html and "3 leads" in html


def test_avatars_get_initials_and_distinct_colours() -> None:
    assert initials("Rita Alvarez") == "RA" and initials("Cher") == "C" and initials("  ") == "?"
    assert initials("maya van der berg") == "MB"
    assert len({avatar_colour(member_id) for member_id in range(1, 7)}) == 6


def test_a_sentence_that_starts_with_a_status_icon_stays_a_sentence() -> None:
    html = str(render_reply(say("↩️ Rejected by ", Mention(name="Jonas Berg"), p(": L-3 Initrode went back."))))
    assert 'class="chip' not in html and "↩️ Rejected by @Jonas Berg: L-3" in assert_only_our_markup(html).text
    won = render_reply(say("🏆 Congratulations! ", b("L-15 Globex"), p(" is won.")))
    assert "chip" not in str(won) and "Congratulations! L-15 Globex is won." in Parsed(str(won)).text
    row = str(
        render_reply(
            say(b("L-2"), p(" Globex  "), p("🟢 At stage 2: Qualification"), p(" · "), Mention(name="Rita Alvarez"))
        )
    )  # a `lead list` row keeps its status chip
    assert '<span class="chip chip-green" data-status="accepted">At stage 2: Qualification</span>' in row


def test_pills_never_touch_the_words_beside_them() -> None:
    for spans, expected in (
        ((p("Rejected by"), Mention(name="Jonas Berg"), p("for a reason")), "Rejected by @Jonas Berg for a reason"),
        ((p("Type"), code("help"), p("to start")), "Type help to start"),
        ((Mention(name="Rita"), Mention(name="Sam")), "@Rita @Sam"),
        ((b("L-15"), code("lead show L-15")), "L-15 lead show L-15"),
        ((p("By "), Mention(name="Jonas Berg"), p(": wrong persona")), "By @Jonas Berg: wrong persona"),
        ((p("("), Mention(name="Rita"), p(")")), "(@Rita)"),
        ((p("Type `lead help`."),), "Type lead help."),
    ):
        assert Parsed(str(render_reply(say(*spans)))).text == expected, spans


def test_a_card_can_leave_out_its_status_chip() -> None:
    card = say(b("L-3 · Globex"), p("\n🟡 Waiting to be accepted\nAccept within the SLA."))
    assert 'data-status="handed_off"' in str(render_reply(card))
    html = str(render_reply(card, without_status=True))
    assert "chip" not in html and "Waiting" not in html
    assert Parsed(html).text == "L-3 · Globex\nAccept within the SLA."
    assert (
        Parsed(str(render_reply(say(b("L-3 · Globex"), p("\n🟡 Waiting")), without_status=True))).text == "L-3 · Globex"
    )
