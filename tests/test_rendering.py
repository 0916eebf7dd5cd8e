"""faq.rendering: plain-text answers become safe HTML with tables, lists and links."""

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from faq.parsers.base import table_to_text
from faq.rendering import linkify, render_text
from faq.templatetags.portal_tags import render_text_filter


class Tags(HTMLParser):
    """Collects start tags so tests can check structure, not string fragments."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.text = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def names(self):
        return [t for t, _ in self.tags]


def test_paragraph_per_line_and_blank_lines_dropped():
    html = render_text("第一段。\n\n第二段。\r\n第三段。")
    assert html == "<p>第一段。</p>\n<p>第二段。</p>\n<p>第三段。</p>"


def test_script_is_escaped_everywhere():
    evil = '<script>alert("x")</script>'
    html = render_text(f"{evil}\n| a | {evil} |\n| --- | --- |\n| 1 | 2 |\n1. {evil}\n2. 二")
    assert "<script>" not in html
    # Five: the paragraph, the list item, and the header cell, which is also named in the caption and data-label.
    assert html.count("&lt;script&gt;") == 5
    assert "script" not in Tags(html).names()


def test_pipe_rows_become_a_table_with_header():
    text = "缴费比例：\n" + table_to_text(["险种", "单位", "个人"], [["养老", "16%", "8%"], ["失业", "0.7%", "0.3%"]])
    html = render_text(text)
    parsed = Tags(html)
    names = parsed.names()
    assert names.count("table") == 1 and names.count("th") == 3 and names.count("tr") == 3 and names.count("td") == 6
    assert "---" not in html
    assert html.index("<thead>") < html.index("养老")
    # The table scrolls in its own keyboard-reachable box, not the page.
    wrap = next(attrs for tag, attrs in parsed.tags if tag == "div")
    assert wrap["class"] == "table-wrap" and wrap["tabindex"] == "0"
    # Stacked cards on phones: each cell names its column; the lead-in line is the table's caption.
    assert '<td data-label="险种">养老</td>' in html and '<td data-label="个人">8%</td>' in html
    assert "<caption>缴费比例</caption>" in html
    # Without a lead-in, a caption names the columns for screen readers.
    bare = render_text(table_to_text(["险种", "单位", "个人"], [["养老", "16%", "8%"]]))
    assert '<caption class="visually-hidden">表格：险种、单位、个人</caption>' in bare


def test_pipe_rows_without_separator_have_no_header():
    html = render_text("| 芙蓉区 | 84111111 |\n| 天心区 | 85222222 |")
    assert "<th" not in html and html.count("<tr>") == 2


def test_numbered_lines_become_an_ordered_list():
    html = render_text("办理步骤如下：\n1.网上申请；\n2、提交材料；\n3） 领取结果。\n以上均可在线办理。")
    assert html.startswith("<p>办理步骤如下：</p>")
    assert '<ol class="ol-decimal"><li>网上申请；</li><li>提交材料；</li><li>领取结果。</li></ol>' in html
    assert html.endswith("<p>以上均可在线办理。</p>")


def test_parenthesised_and_circled_numbers():
    html = render_text("（1）身份证；\n（2）户口簿。\n①登录；\n②申请；")
    assert '<ol class="ol-paren"><li>身份证；</li><li>户口簿。</li></ol>' in html
    assert '<ol class="ol-circled"><li>登录；</li><li>申请；</li></ol>' in html


def test_list_continues_from_a_later_start():
    assert '<ol class="ol-decimal" start="3">' in render_text("3. 三\n4. 四")


def test_lone_or_non_sequential_numbers_stay_paragraphs():
    # A single numbered line, decimals and years are not lists.
    assert "<ol" not in render_text("1.5倍工资\n2017年5月1日起执行")
    assert "<ol" not in render_text("1. 只有一条")
    assert "<ol" not in render_text("1. 一\n3. 三")


def test_bullets_become_an_unordered_list():
    assert render_text("• 身份证\n• 社保卡") == "<ul><li>身份证</li><li>社保卡</li></ul>"


def test_bare_urls_become_nofollow_links_and_stop_at_cjk_punctuation():
    html = render_text("登录长沙人才智慧导航（http://www.changsha.gov.cn/csrc_portal/）申报。")
    link = next(attrs for tag, attrs in Tags(html).tags if tag == "a")
    assert link["href"] == "http://www.changsha.gov.cn/csrc_portal/"
    assert link["rel"] == "nofollow noopener"
    assert "）申报。" in html


def test_www_urls_get_a_scheme_and_trailing_dot_is_not_part_of_the_link():
    html = linkify("见 www.szsi.gov.cn.")
    assert 'href="http://www.szsi.gov.cn"' in html and html.endswith("</a>.")


def test_url_with_quotes_cannot_break_out_of_the_attribute():
    html = linkify('http://a.example/x"onmouseover="alert(1)')
    link = next(attrs for tag, attrs in Tags(html).tags if tag == "a")
    assert "onmouseover" not in link


def test_filter_handles_empty_values():
    assert render_text_filter(None) == "" and render_text_filter("") == ""


@given(st.text(max_size=300))
def test_any_text_renders_without_raw_markup(text):
    html = render_text(text)
    # Every "<" in the output starts one of our own tags.
    allowed = {"p", "ol", "ul", "li", "a", "div", "table", "caption", "thead", "tbody", "tr", "th", "td"}
    assert set(Tags(html).names()) <= allowed
    assert "<script" not in html.lower()


def test_phone_links_make_every_number_tap_to_call_and_escape_the_rest():
    from faq.rendering import phone_links

    html = phone_links("市本级：0731-84907507；雨花区<b>：85880549，热线12333（2020年起）")
    assert html.count('class="tel"') == 3
    assert 'href="tel:073184907507"' in html and 'href="tel:85880549"' in html and 'href="tel:12333"' in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "2020年" in html and 'href="tel:2020' not in html
