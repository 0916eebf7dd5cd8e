"""A bar chart of searches per day, drawn on the server as SVG (no chart library, no CDN, no script)."""

WIDTH, HEIGHT = 720, 220
LEFT, BOTTOM, TOP = 40, 30, 10


def daily_bars(per_day):
    """Geometry for templates/insights/chart.html: per day a searches bar with its no-answer part, and labels."""
    peak = max([d["searches"] for d in per_day] + [1])
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(per_day), 1)
    bar_w = max(slot * 0.7, 1)
    label_every = max(1, len(per_day) // 10)
    bars = []
    for i, d in enumerate(per_day):
        h = plot_h * d["searches"] / peak
        miss = plot_h * d["no_answer"] / peak
        x = LEFT + i * slot + (slot - bar_w) / 2
        bars.append(
            {
                "x": round(x, 1),
                "w": round(bar_w, 1),
                "y": round(TOP + plot_h - h, 1),
                "h": round(h, 1),
                "miss_y": round(TOP + plot_h - miss, 1),
                "miss_h": round(miss, 1),
                "label": d["day"][5:] if i % label_every == 0 else "",
                "label_x": round(x + bar_w / 2, 1),
                "title": f"{d['day']}：搜索 {d['searches']} 次，无答案 {d['no_answer']} 次，点开 {d['opened']} 次",
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "peak": peak,
        "axis_y": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 16,
        "left": LEFT,
        "top": TOP,
    }
