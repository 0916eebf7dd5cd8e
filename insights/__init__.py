"""The learning loop: an anonymous search log, opened results, page views, 这个回答有帮助吗, 群众留言, and the
staff reports and one-click fixes built on them (issue 11)."""
