#!/usr/bin/env python3
"""Finch as an agent uses it, in a terminal (tmux), against the Graph
emulator: the saved account signs on, a customer's message opens a
conversation window, replies and templates go through the entry, the
Templates menu inserts, a template that asks gets its value from a dialog
(closed with its conversation), a card number is stopped on screen (one
heading, the number masked) and in the log and goes back into the entry, the
Add Account dialog names the protocols and their options, and in an 80x24
terminal the policy acknowledgement shows its buttons, without "_".
Screen dumps and PNG renderings go to tests/artifacts/finch-*."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from uitest import (ClientSetup, Tap, SANITIZER_MARKERS, TOKEN, PAGE_ID, UI_IDS,  # noqa: E402
                    PROTOCOL, wait_until)
import purple_profile  # noqa: E402
from cdn_emulator import CdnEmulator  # noqa: E402
from finch_screen import (Tmux, conversation_lines, entry_text, find_window,  # noqa: E402
                          is_focused, render_png)

CUSTOMER_ID, CUSTOMER = "5001", "Ann Customer"
LISTED = CUSTOMER + " · Facebook"       # the name and the platform
TITLE = "%s (%s -- Facebook Page Messenger)" % (LISTED, PAGE_ID)
QUESTION = "Where is my <b>order</b> & the receipt?"
GREETING = "Hi Ann, thanks for waiting & <sorry> for the delay."
CLOSING = "Glad we could help, Ann. Have a good day!"
CARD = "Your card 4111 1111 1111 1111 is on file"
NOT_A_CARD = "Order 4111 1111 1111 1112 is on its way"
REPLY = "Thanks Ann, let me look into it."
POLICY_DIALOG = "BrandDM message policy"
ASK_TITLE = "Fill in the template"
ASKED = "Hi Ann, order A-1042 is on its way."


def history(tmux):
    return "\n".join(conversation_lines(tmux.screen(), TITLE) or [])


def type_line(tmux, text):
    tmux.send_text(text)
    tmux.send_keys("Enter")


def save_screen(tmux, setup, name):
    """The screen as text and as a PNG in tests/artifacts/; the PNG's error, if any."""
    escaped = tmux.screen_escaped()
    with open(setup.artifact(name + ".txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(tmux.screen()))
    return render_png(escaped, setup.artifact(name + ".png"))


def test_conversation(t, setup, tmux):
    t.ok(wait_until(setup.polled_with_token, 30),
         "Finch signs the saved account on: the emulator is polled with its token",
         "\n".join(tmux.screen()))

    setup.emu.add_customer_message(CUSTOMER_ID, CUSTOMER, QUESTION)
    t.ok(tmux.wait_for(lambda lines: find_window(lines, TITLE), 20),
         "the customer's message opens a window titled with the customer's name and platform",
         "\n".join(tmux.screen()))
    shown = tmux.wait_for(lambda lines: QUESTION in "\n".join(
        conversation_lines(lines, TITLE) or []), 5)
    t.ok(shown, "the message shows with its markup as literal text", history(tmux))
    t.ok("Where is my order" not in history(tmux), "the <b> is not taken as formatting")

    # New windows do not take the focus from the one the agent types in.
    for _ in range(4):
        if is_focused(tmux.screen_escaped(), TITLE):
            break
        tmux.send_keys("M-n")
        wait_until(lambda: is_focused(tmux.screen_escaped(), TITLE), 1)
    t.ok(is_focused(tmux.screen_escaped(), TITLE), "Alt+N brings the conversation forward",
         tmux.screen_escaped().split("\n")[-2:])

    type_line(tmux, REPLY)
    t.ok(wait_until(lambda: REPLY
                    in setup.sent_texts(CUSTOMER_ID), 15),
         "a typed reply reaches the Send API", setup.emu.sent)
    t.ok(tmux.wait_for(lambda lines: ": " + REPLY in
                       "\n".join(conversation_lines(lines, TITLE) or []), 5),
         "the reply shows in the conversation", history(tmux))


def test_templates(t, setup, tmux):
    type_line(tmux, "/tpl greeting")
    inserted = tmux.wait_for(lambda lines: entry_text(lines, TITLE) == GREETING, 5)
    t.ok(inserted, "/tpl greeting puts the expanded template into the entry",
         "entry: %r" % entry_text(tmux.screen(), TITLE))
    t.ok(GREETING not in setup.sent_texts(CUSTOMER_ID), "inserting a template does not send it")
    tmux.send_keys("Enter")
    t.ok(wait_until(lambda: GREETING in setup.sent_texts(CUSTOMER_ID), 15),
         "Enter sends the template as shown: & and < reach the customer literally",
         setup.emu.sent)

    type_line(tmux, "/tpl nosuch")
    t.ok(tmux.wait_for(lambda lines: "No template is called" in
                       "\n".join(conversation_lines(lines, TITLE) or []), 5),
         "an unknown template is explained in the conversation", history(tmux))
    t.eq(entry_text(tmux.screen(), TITLE), "", "an unknown template leaves the entry empty")

    # F10 opens the window's menu bar; Right walks to Templates, whose list
    # is read from the files when it opens (names sorted: closing first).
    tmux.send_keys("F10")
    listed = None
    for _ in range(4):
        tmux.send_keys("Right")
        listed = tmux.wait_for(lambda lines: "closing — Last answer before resolving"
                               in "\n".join(lines), 1)
        if listed:
            break
    t.ok(listed, "F10 > Templates lists the templates with their descriptions",
         "\n".join(tmux.screen()))
    t.ok("greeting — First answer in a new conversation" in "\n".join(tmux.screen()),
         "the menu lists every template")
    save_screen(tmux, setup, "templates-menu")
    tmux.send_keys("Enter")
    t.ok(tmux.wait_for(lambda lines: entry_text(lines, TITLE) == CLOSING, 5),
         "choosing a template in the menu puts it into the entry",
         "entry: %r" % entry_text(tmux.screen(), TITLE))
    tmux.send_keys("Enter")
    t.ok(wait_until(lambda: CLOSING in setup.sent_texts(CUSTOMER_ID), 15),
         "the menu's template is sent with Enter", setup.emu.sent)


def test_template_ask(t, setup, tmux):
    type_line(tmux, "/tpl order-status")
    t.ok(tmux.wait_for(lambda lines: find_window(lines, ASK_TITLE), 10),
         "/tpl order-status opens a dialog that asks the agent", "\n".join(tmux.screen()))
    dialog = "\n".join(conversation_lines(tmux.screen(), ASK_TITLE) or [])
    t.ok("order-status" in dialog and "Order number" in dialog,
         "the dialog names the template and the value it needs", dialog)
    t.ok("order A-1042" not in "\n".join(tmux.screen()), "nothing is filled in before the answer")
    tmux.send_text("A-1042")
    save_screen(tmux, setup, "template-ask")
    # Tab goes from the field to Insert.
    tmux.send_keys("Tab", "Enter")
    t.ok(tmux.wait_for(lambda lines: entry_text(lines, TITLE) == ASKED, 10),
         "the value typed into the dialog is filled in, the template is in the entry",
         "\n".join(tmux.screen()))
    t.ok(not find_window(tmux.screen(), ASK_TITLE), "the dialog is gone")
    tmux.send_keys("Enter")
    t.ok(wait_until(lambda: ASKED in setup.sent_texts(CUSTOMER_ID), 15),
         "Enter sends it", setup.emu.sent)


def taskbar(lines):
    """GNT's taskbar, the screen's last line: every window, covered or not."""
    return ([line for line in lines if line.strip()] or [""])[-1]


def test_template_ask_closed(t, setup, tmux):
    """The conversation closes while its dialog is open: Finch closes the
    dialog (and runs its cancel callback while doing so) and lives on."""
    type_line(tmux, "/tpl order-status")
    t.ok(tmux.wait_for(lambda lines: find_window(lines, ASK_TITLE), 10),
         "the dialog is open again", "\n".join(tmux.screen()))
    # The taskbar cuts the conversation's title short while the dialog is there.
    for _ in range(4):
        if is_focused(tmux.screen_escaped(), CUSTOMER):
            break
        tmux.send_keys("M-n")
        wait_until(lambda: is_focused(tmux.screen_escaped(), CUSTOMER), 1)
    t.ok(is_focused(tmux.screen_escaped(), CUSTOMER) and ASK_TITLE in taskbar(tmux.screen()),
         "the conversation window has the keyboard, the dialog is still open",
         tmux.screen_escaped().split("\n")[-2:])
    tmux.send_keys("M-c")
    t.ok(tmux.wait_for(lambda lines: CUSTOMER not in taskbar(lines)
                       and ASK_TITLE not in taskbar(lines), 10),
         "closing the conversation window closes its dialog", "\n".join(tmux.screen()))
    t.ok("[client exited" not in "\n".join(tmux.screen()), "Finch lives on")


def conversation_title(lines):
    """The full title of the customer's conversation window ("Ann Customer ·
    Facebook [waiting] (1000 -- ...)"), or None while it is not open."""
    for line in lines:
        at = line.find("┤" + LISTED)
        if at >= 0 and line.find("├", at) > at:
            return line[at + 1:line.find("├", at)]
    return None


def test_history(t, setup, tmux):
    """The agent closed the conversation; the customer writes again: the
    window opens with the earlier messages first, marked, and the new one
    once, after them."""
    t.ok(tmux.wait_for(lambda lines: conversation_title(lines) is None, 5),
         "the conversation window is closed", "\n".join(tmux.screen()))
    setup.emu.add_customer_message(CUSTOMER_ID, CUSTOMER, "any news?")
    title = tmux.wait_for(lambda lines: conversation_title(lines), 30) and \
        conversation_title(tmux.screen())
    t.ok(title, "the customer's message opens the window again", "\n".join(tmux.screen()))
    if not title:
        return
    tmux.wait_for(lambda lines: any("any news?" in x
                                    for x in conversation_lines(lines, title) or []), 10)
    save_screen(tmux, setup, "history")
    text = conversation_lines(tmux.screen(), title) or []
    earlier = [i for i, x in enumerate(text) if "[earlier, " in x]
    news = [i for i, x in enumerate(text) if "any news?" in x]
    t.ok(len(earlier) >= 3, "earlier messages are shown first, each marked as earlier",
         "\n".join(text))
    t.ok(len(news) == 1 and earlier and news[0] > earlier[-1],
         "the new message once, after them", "\n".join(text))
    t.ok(bool(earlier) and ("Ann Customer" in text[earlier[0]] or "Acme" in text[earlier[0]]),
         "each names who wrote it", "\n".join(text))


def focus(tmux, title):
    """Alt+N until the taskbar shows title as the focused window."""
    for _ in range(6):
        if is_focused(tmux.screen_escaped(), title):
            return True
        tmux.send_keys("M-n")
        wait_until(lambda: is_focused(tmux.screen_escaped(), title), 1)
    return is_focused(tmux.screen_escaped(), title)


def test_search(t, setup, tmux):
    """/search lists matching messages in a window; its IM button opens the
    conversation again after the agent closed it."""
    t.ok(focus(tmux, LISTED), "the conversation has the keyboard", tmux.screen_escaped()[-300:])
    type_line(tmux, "/search any news")
    # Finch opens new windows behind the one being typed in.
    t.ok(tmux.wait_for(lambda lines: "Search" in taskbar(lines), 10) and focus(tmux, "Search")
         and tmux.wait_for(lambda lines: find_window(lines, "Search"), 5),
         "the matches open in a Search window", "\n".join(tmux.screen()))
    listing = "\n".join(conversation_lines(tmux.screen(), "Search") or [])
    t.ok("any news?" in listing and "Ann Customer (" in listing and "When" in listing
         and "IM" in listing, "it lists the message with its customer, and an IM button",
         listing)
    save_screen(tmux, setup, "search")
    t.ok(focus(tmux, LISTED), "back to the conversation", tmux.screen_escaped()[-300:])
    tmux.send_keys("M-c")
    t.ok(tmux.wait_for(lambda lines: conversation_title(lines) is None, 10),
         "the agent closes the conversation", "\n".join(tmux.screen()))
    t.ok(focus(tmux, "Search"), "the Search window has the keyboard",
         tmux.screen_escaped()[-300:])
    tmux.send_keys("Tab")
    tmux.send_keys("Enter")
    t.ok(tmux.wait_for(lambda lines: conversation_title(lines) is not None, 10),
         "IM on the selected row opens the conversation again", "\n".join(tmux.screen()))
    tmux.send_keys("M-c") if focus(tmux, "Search") else None


def test_search_order(t, setup, tmux):
    """Several matches: newest first in Finch too (it adds each row at the
    top of its table, so BrandDM hands them over last first)."""
    t.ok(focus(tmux, LISTED), "the conversation has the keyboard", tmux.screen_escaped()[-300:])
    type_line(tmux, "/search Ann,")
    t.ok(tmux.wait_for(lambda lines: "Search" in taskbar(lines), 10)
         and focus(tmux, "Search") and tmux.wait_for(lambda lines: find_window(lines, "Search"), 5),
         "the search opens its window", "\n".join(tmux.screen()))
    messages = []
    for line in conversation_lines(tmux.screen(), "Search") or []:
        cells = line.split("│")
        if len(cells) >= 6:
            messages.append(cells[5].strip(" ▒"))
    found = [m for m in messages if m.startswith(("Hi Ann", "Thanks Ann", "Glad"))]
    # The template that asked was the last reply sent with "Ann,".
    t.ok(len(found) >= 2 and found[0].startswith("Hi Ann, order") and
         not found[-1].startswith("Hi Ann, order"), "the newest match first", messages)
    tmux.send_keys("M-c")


def test_policy(t, setup, tmux):
    type_line(tmux, CARD)
    notice = tmux.wait_for(lambda lines: "Payment card number" in
                           "\n".join(conversation_lines(lines, TITLE) or []), 10)
    t.ok(notice, "a card number is stopped and the reason is on screen", history(tmux))
    t.eq(history(tmux).count("Not sent"), 1, "the notice has one heading, \"Not sent\"")
    t.ok("«•••• •••• •••• 1111»" in history(tmux),
         "the card number is quoted masked, its last four digits shown", history(tmux))
    t.ok("4111" not in history(tmux) and "is on file" not in history(tmux),
         "the refused text is not repeated in the conversation", history(tmux))
    t.ok(tmux.wait_for(lambda lines: entry_text(lines, TITLE) == CARD, 5),
         "the refused text is back in the entry, to edit",
         "entry: %r" % entry_text(tmux.screen(), TITLE))
    t.ok(CARD not in setup.sent_texts(CUSTOMER_ID), "the card number never reaches the Send API",
         setup.emu.sent)
    blocks = wait_until(lambda: setup.blocks_logged(CUSTOMER_ID), 5) or []
    t.ok(len(blocks) == 1 and "sensitive.card" in (blocks[0][1] or ""),
         "the log records the block with its rule", blocks)
    t.ok(blocks and "4111 1111" not in (blocks[0][0] or ""),
         "the log keeps the card number masked", blocks)
    # BrandDM's log is the one record: Finch keeps no chat log of its own.
    purple_logs = setup.purple_log_text()
    t.eq(purple_logs.strip(), "", "Finch keeps no chat log of its own of the BrandDM "
         "conversation (replies, card number, nothing)")
    error = save_screen(tmux, setup, "conversation")
    t.ok(error == "", "the screen is rendered to tests/artifacts/finch-conversation.png", error)
    # Ctrl+U empties the entry (GNT's "delete-start", the cursor being at the end).
    tmux.send_keys("C-u")
    t.ok(tmux.wait_for(lambda lines: entry_text(lines, TITLE) == "", 5),
         "the entry can be emptied", "entry: %r" % entry_text(tmux.screen(), TITLE))

    # Near miss: sixteen digits that fail the Luhn check are an order number.
    type_line(tmux, NOT_A_CARD)
    t.ok(wait_until(lambda: NOT_A_CARD in setup.sent_texts(CUSTOMER_ID), 15),
         "sixteen digits failing the Luhn check are sent", setup.emu.sent)


def focus_conversation(tmux):
    """Alt+N until the conversation window is the focused one (80 columns
    cut its name short in the taskbar)."""
    name = TITLE[:20]
    for _ in range(4):
        if is_focused(tmux.screen_escaped(), name):
            return True
        tmux.send_keys("M-n")
        wait_until(lambda: is_focused(tmux.screen_escaped(), name), 1)
    return is_focused(tmux.screen_escaped(), name)


def test_small_terminal_policy_dialog(t, setup, tmux):
    """A new policy version in an 80x24 terminal: the acknowledgement dialog
    fits with its buttons, Enter acknowledges, and the refused reply is back
    in the entry to send."""
    t.ok(wait_until(setup.polled_with_token, 30), "Finch signs on in an 80x24 terminal",
         "\n".join(tmux.screen()))
    setup.emu.add_customer_message(CUSTOMER_ID, CUSTOMER, QUESTION)
    t.ok(tmux.wait_for(lambda lines: TITLE[:20] in "\n".join(lines[-2:]), 20),
         "the conversation window opens (its name in the taskbar)", "\n".join(tmux.screen()))
    t.ok(focus_conversation(tmux), "the conversation window has the focus",
         tmux.screen_escaped().split("\n")[-2:])
    t.ok(tmux.wait_for(lambda lines: find_window(lines, TITLE), 5),
         "the conversation window is whole on screen", "\n".join(tmux.screen()))
    type_line(tmux, REPLY)
    box = tmux.wait_for(lambda lines: find_window(lines, POLICY_DIALOG), 10)
    lines = tmux.screen()
    save_screen(tmux, setup, "policy-dialog-80x24")
    t.ok(box, "the reply opens the policy acknowledgement dialog, whole (all four corners "
         "on screen)", "\n".join(lines))
    if not box:
        return
    top, left, bottom, right = box
    dialog = "\n".join(l[left:right + 1] for l in lines[top:bottom + 1])
    t.ok(bottom < len(lines) - 1 and right < 80,
         "the dialog fits the 80x24 screen above the taskbar", "\n".join(lines))
    t.ok("[ Cancel ]" in dialog or "Cancel" in dialog, "its Cancel button is on screen", dialog)
    t.ok("I have read and acknowledge the policy" in dialog,
         "its acknowledge button is on screen", dialog)
    # Only the labels: a half-drawn entry behind the dialog shows "____".
    t.ok(not re.search(r"_(Cancel|acknowledge|I have)", dialog),
         "no button shows a literal underscore (\"_Cancel\")", dialog)
    t.ok("/policy show" in dialog, "the dialog says where the whole policy is", dialog)
    t.ok("2026-11" in dialog and "rules block sending" in dialog,
         "it names the version and counts the rules", dialog)
    t.eq(setup.sent_texts(CUSTOMER_ID), [], "nothing is sent before the acknowledgement")
    # The acknowledge button has the focus (the request's default).
    tmux.send_keys("Enter")
    acked = wait_until(lambda: setup.log_rows("SELECT detail FROM record "
                                              "WHERE kind='policy_ack'"), 5)
    t.ok(acked and "2026-11" in acked[0][0], "Enter acknowledges the version, in the log",
         acked)
    t.ok(tmux.wait_for(lambda lines: not find_window(lines, POLICY_DIALOG), 5),
         "the dialog closes", "\n".join(tmux.screen()))
    t.ok(focus_conversation(tmux), "back in the conversation window")
    t.ok(tmux.wait_for(lambda lines: entry_text(lines, TITLE) == REPLY, 5),
         "the refused reply is back in the entry",
         "entry: %r" % entry_text(tmux.screen(), TITLE))
    tmux.send_keys("Enter")
    t.ok(wait_until(lambda: REPLY in setup.sent_texts(CUSTOMER_ID), 15),
         "Enter sends it now that the policy is acknowledged", setup.emu.sent)


def buddy_list(lines):
    """The buddy list window's text, one line per row."""
    return "\n".join(conversation_lines(lines, "Buddy List") or [])


def test_buddy_list(t, setup, tmux):
    row = LISTED + " [billing, @Bo]"
    t.ok(tmux.wait_for(lambda lines: LISTED in buddy_list(lines), 5),
         "the buddy list shows the customer by name and platform (available, so shown "
         "without \"Show Offline Buddies\")", buddy_list(tmux.screen()))
    t.ok(row not in buddy_list(tmux.screen()), "no tags before the escalation")
    type_line(tmux, "/escalate billing Charged twice for order 1234")
    t.ok(tmux.wait_for(lambda lines: LISTED + " [billing]" in buddy_list(lines), 10),
         "/escalate puts the department after the name in the buddy list",
         buddy_list(tmux.screen()))
    type_line(tmux, "/assign Bo")
    t.ok(tmux.wait_for(lambda lines: row in buddy_list(lines), 10),
         "/assign puts the assignee after the tags", buddy_list(tmux.screen()))
    error = save_screen(tmux, setup, "buddy-list")
    t.ok(error == "", "the screen is rendered to tests/artifacts/finch-buddy-list.png", error)
    type_line(tmux, "/resolve")
    t.ok(tmux.wait_for(lambda lines: LISTED in buddy_list(lines)
                       and row not in buddy_list(lines), 10),
         "/resolve takes them (and the assignee) off again", buddy_list(tmux.screen()))


def protocol_shown(lines):
    """The protocol the New Account dialog's drop-down shows, or None."""
    for line in lines:
        if "Protocol:" in line:
            parts = [p.strip() for p in line.split("│") if p.strip()]
            return parts[1] if len(parts) > 1 else None
    return None


def test_add_account_dialog(t, setup, tmux):
    # Alt+A lists Finch's actions, "Accounts" first; Tab reaches "Add".
    tmux.send_keys("M-a")
    tmux.wait_for(lambda lines: find_window(lines, "Actions"), 5)
    tmux.send_keys("Enter")
    tmux.wait_for(lambda lines: find_window(lines, "Accounts"), 5)
    tmux.send_keys("Tab", "Enter")
    t.ok(tmux.wait_for(lambda lines: find_window(lines, "New Account"), 5),
         "Accounts > Add opens the New Account dialog", "\n".join(tmux.screen()))
    first = protocol_shown(tmux.screen())
    tmux.send_keys("Down")
    listed = tmux.wait_for(lambda lines: "X (Twitter)" in "\n".join(lines), 5)
    names = [n for n in ("Facebook Page Messenger", "Instagram", "X (Twitter)")
             if n in "\n".join(tmux.screen())]
    t.ok(listed and len(names) == 3,
         "the protocol list names Facebook Page Messenger, Instagram and X (Twitter)",
         "\n".join(tmux.screen()))
    # Walk the open list from the protocol shown to Facebook's: both are in
    # the drop-down's column, one line per protocol.
    lines = tmux.screen()
    rows = [(i, l.find("Facebook Page Messenger")) for i, l in enumerate(lines)
            if "Facebook Page Messenger" in l]
    steps = 1
    if rows and first:
        row, col = rows[-1]
        current = [i for i, l in enumerate(lines)
                   if l[col:].startswith(first) and "Protocol:" not in l]
        steps = row - current[0] if current else 1
    tmux.send_keys(*(["Down"] * max(steps, 0)))
    tmux.send_keys("Enter")
    chosen = tmux.wait_for(lambda lines: protocol_shown(lines) == "Facebook Page Messenger", 5)
    t.ok(chosen, "Facebook Page Messenger can be chosen", "\n".join(tmux.screen()))
    screen = "\n".join(tmux.screen())
    for label in ("API base URL", "Seconds between checks for new messages",
                  "Allow replies up to 7 days (human agent tag)"):
        t.ok(label in screen, "the dialog offers the option \"%s\"" % label, screen)
    save_screen(tmux, setup, "add-account")


def client_env(setup):
    """What goes to Finch only, not to tmux."""
    return {k: v for k, v in setup.env.items()
            if k in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "BRANDDM_SYSCONFDIR")}


def small_terminal(t, log_path):
    """A second Finch, in 80x24, whose administrator's policy has a version
    the agent has not acknowledged."""
    setup = ClientSetup("finch", t)
    tmux = Tmux(80, 24)
    with setup:
        setup.write(os.path.join(setup.sysconf, "policy.conf"), "[policy]\nversion = 2026-11\n")
        try:
            tmux.start(["finch", "-c", setup.dir], setup.env, client_env(setup), log_path)
            t.run("policy dialog in 80x24", test_small_terminal_policy_dialog, setup, tmux)
        finally:
            tmux.stop()


def test_setup_explained(t):
    """An account saved with a name where the Page ID belongs: at its first
    connection Finch shows what Username and Password must hold."""
    setup = ClientSetup("finch", t)
    tmux = Tmux()
    with setup:
        setup.write("accounts.xml", purple_profile.accounts_xml(
            PROTOCOL, "Acme Support", TOKEN, setup.emu.base_url, UI_IDS.values()))
        try:
            tmux.start(["finch", "-c", setup.dir], setup.env,
                       {k: v for k, v in setup.env.items() if k == "BRANDDM_SYSCONFDIR"},
                       setup.artifact("setup-stderr.log"))
            # Finch wraps the text in its window: compare without line breaks.
            want = ("The username must be the Facebook Page ID, digits only (for example "
                    "104857600123), and the password the Page access token.")

            def flat(lines):
                return " ".join("".join(c for c in line if c not in "│┃") .strip()
                                for line in lines)
            shown = tmux.wait_for(lambda lines: want in " ".join(flat(lines).split()), 20)
            t.ok(shown, "Finch shows what the username and the password must be",
                 "\n".join(tmux.screen()))
            save_screen(tmux, setup, "setup-error")
            t.eq(setup.emu.requests, [], "nothing was sent to the platform with that username")
        finally:
            tmux.stop()


def photo_title(lines, name="Bea Photo"):
    """The full title of the photo customer's conversation window, or None."""
    for line in lines:
        at = line.find("┤" + name)
        if at >= 0 and line.find("├", at) > at:
            return line[at + 1:line.find("├", at)]
    return None


def test_attachment(t, setup, tmux, cdn):
    """Finch shows text only: a customer's file arrives as its line, with
    name, type and where it was saved."""
    setup.emu.add_customer_message("5009", "Bea Photo", "the receipt", attachments=[
        {"kind": "file", "url": cdn.url("manual.pdf"), "mime_type": "application/pdf",
         "name": "receipt.pdf"}])
    # New windows open behind the one in use: bring it forward first.
    wait_until(lambda: "Bea Photo" in tmux.screen()[-1], 30)
    focus(tmux, "Bea Photo")
    title = tmux.wait_for(lambda lines: photo_title(lines), 10) and photo_title(tmux.screen())
    t.ok(title, "the customer's message with a file opens a window", "\n".join(tmux.screen()))
    if not title:
        return

    def compact():
        return "".join("".join(conversation_lines(tmux.screen(), title) or []).split())
    tmux.wait_for(lambda lines: "receipt.pdf" in compact(), 15)
    save_screen(tmux, setup, "attachment")
    text = compact()
    t.ok("thereceipt" in text and "Attachment“receipt.pdf”(application/pdf," in text and
         "savedas" in text and "/branddm/media/" in text,
         "the file's line: name, type and saved path", "\n".join(tmux.screen()))


def test_attach_send(t, setup, tmux):
    """/attach in the conversation window: the PDF and its caption reach the
    platform, and the window shows the sent file's line."""
    title = photo_title(tmux.screen())
    t.ok(title, "the customer's window is still open", "\n".join(tmux.screen()))
    if not title:
        return
    path = os.path.join(setup.dir, "manual.pdf")
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    type_line(tmux, "/attach %s Your manual" % path)
    t.ok(wait_until(lambda: any(x.get("attachment", {}).get("name") == "manual.pdf"
                                for x in setup.emu.sent if x.get("attachment")), 20),
         "/attach in Finch sends the file to the platform", setup.emu.sent)
    t.ok(wait_until(lambda: "Your manual" in setup.sent_texts("5009"), 15),
         "its caption follows as a message", setup.emu.sent)

    def compact():
        return "".join("".join(conversation_lines(tmux.screen(), title) or []).split())
    shown = tmux.wait_for(lambda lines: "Attachment“manual.pdf”(application/pdf," in compact(),
                          15)
    save_screen(tmux, setup, "attach-send")
    t.ok(shown, "the window shows the sent file's line", "\n".join(tmux.screen()))

    # The conversation menu's Send File: Finch's own file selector.
    before = len([x for x in setup.emu.sent if x.get("attachment")])
    tmux.send_keys("F10")
    opened = tmux.wait_for(lambda lines: "Send File" in "\n".join(lines), 3)
    t.ok(opened, "F10 > Conversation offers Send File", "\n".join(tmux.screen()))
    if not opened:
        tmux.send_keys("Escape")
        return
    # Each item shows its key in brackets: "Send File (e)".
    key = re.search(r"Send File\s+\((\w)\)", "\n".join(tmux.screen()))
    t.ok(key, "the Send File item has its key", "\n".join(tmux.screen()))
    if not key:
        tmux.send_keys("Escape")
        return
    tmux.send_keys(key.group(1))
    chooser = tmux.wait_for(lambda lines: "Open File" in "\n".join(lines), 5)
    save_screen(tmux, setup, "send-file-chooser")
    t.ok(chooser, "Send File opens Finch's file selector", "\n".join(tmux.screen()))
    if not chooser:
        return
    # Finch 2.14's selector hands libpurple the file's name without its
    # folder (docs/CLIENTS.md): /attach is the way in Finch.  Closing it
    # must leave nothing behind.  Alt+C closes a Finch window.
    tmux.send_keys("M-c")
    t.ok(tmux.wait_for(lambda lines: "Open File" not in "\n".join(lines), 5),
         "Alt+C closes the file selector", "\n".join(tmux.screen()))
    type_line(tmux, "/attach %s" % path)
    t.ok(wait_until(lambda: len([x for x in setup.emu.sent if x.get("attachment")]) ==
                    before + 1, 20),
         "after the closed selector, /attach still sends (and the selector sent nothing)",
         setup.emu.sent)
    # Settled before the next test opens its dialogs: the second transfer's
    # last line is on screen.
    t.ok(tmux.wait_for(lambda lines: compact().count("Transferoffilemanual.pdfcomplete") >= 2,
                       15), "the second transfer completes in the window",
         "\n".join(tmux.screen()))


def main():
    t = Tap()
    setup = ClientSetup("finch", t)
    tmux = Tmux()
    log_path = setup.artifact("stderr.log")
    cdn = CdnEmulator().start()
    with setup:
        open(log_path, "w").close()
        try:
            tmux.start(["finch", "-c", setup.dir], setup.env, client_env(setup), log_path)
            t.run("conversation", test_conversation, setup, tmux)
            t.run("templates", test_templates, setup, tmux)
            t.run("a template that asks", test_template_ask, setup, tmux)
            t.run("policy", test_policy, setup, tmux)
            t.run("buddy list", test_buddy_list, setup, tmux)
            t.run("a dialog closed with its conversation", test_template_ask_closed,
                  setup, tmux)
            t.run("history when the conversation opens again", test_history, setup, tmux)
            t.run("search", test_search, setup, tmux)
            t.run("search results in order", test_search_order, setup, tmux)
            t.run("attachment", test_attachment, setup, tmux, cdn)
            t.run("/attach sends a file", test_attach_send, setup, tmux)
            t.run("add account dialog", test_add_account_dialog, setup, tmux)
            screen = "\n".join(tmux.screen())
            t.ok("[client exited" not in screen, "Finch ran to the end", screen)
        finally:
            tmux.stop()
            cdn.stop()
    small_terminal(t, log_path)
    with open(log_path, encoding="utf-8", errors="replace") as f:
        stderr = f.read()
    t.ok(not any(m in stderr for m in SANITIZER_MARKERS), "no sanitizer report", stderr[-3000:])
    t.ok(TOKEN not in stderr, "the access token is not in Finch's output")
    t.run("setup explained", test_setup_explained)
    t.done()


main()
