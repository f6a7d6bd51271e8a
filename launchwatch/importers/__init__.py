"""Plans converted from other exporters' configurations (``launchwatch import …``)."""
