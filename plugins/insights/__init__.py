"""Insights (数据看板): the indicators every plugin contributes, per month and quarter, for a
community or the whole deployment — stored once a month closes, charted in a monthly report
(PDF and HTML, in the community's language) that reaches the admins' inbox."""
