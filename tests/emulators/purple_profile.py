"""What a libpurple user directory needs for one BrandDM account, as the Add
Account dialog would save it: shared by the UI tests (tests/ui/uitest.py) and
make demo (tools/demo.py)."""


def accounts_xml(protocol, username, token, api_base, ui_ids, alias=None, poll_interval=2):
    """accounts.xml with one account signing on by itself in each UI of
    ui_ids ("gnt-purple" for Finch, "gtk-gaim" for Pidgin)."""
    ui_settings = "".join(
        "  <settings ui='%s'>\n   <setting name='auto-login' type='bool'>1</setting>\n"
        "  </settings>\n" % ui for ui in ui_ids)
    alias_line = "  <alias>%s</alias>\n" % alias if alias else ""
    return ("<?xml version='1.0' encoding='UTF-8' ?>\n"
            "<account version='1.0'>\n <account>\n"
            "  <protocol>%s</protocol>\n  <name>%s</name>\n  <password>%s</password>\n"
            "%s  <settings>\n"
            "   <setting name='api_base' type='string'>%s</setting>\n"
            "   <setting name='poll_interval' type='int'>%d</setting>\n"
            "  </settings>\n%s </account>\n</account>\n"
            % (protocol, username, token, alias_line, api_base, poll_interval, ui_settings))
