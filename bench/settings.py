"""In-process benchmark settings: the production settings plus a second haystack connection, ``stock``,
for the comparison configuration (bench/stock.py). bench/run.py sets PORTAL_VAR_DIR to its own state dir
(and SECRET_KEY/ALLOWED_HOSTS) before Django starts, so nothing here touches var/.
"""

from portal.settings.prod import *  # noqa: F403
from portal.settings.prod import HAYSTACK_CONNECTIONS, VAR_DIR

HAYSTACK_CONNECTIONS = {
    **HAYSTACK_CONNECTIONS,
    "stock": {"ENGINE": "bench.stock.StockJiebaWhooshEngine", "PATH": str(VAR_DIR / "stock_index")},
}
