#!/usr/bin/env python3
"""Pidgin as an agent uses it, on a virtual screen (Xvfb) driven with
xdotool, against the Graph emulator: the saved account signs on, a
customer's message opens a window titled with the customer's name, typed
replies and templates (/tpl, the Templates button, Options > Templates) go
out through the entry, a card number is stopped, explained in the window
(one heading, the number masked), recorded in the log and put back into the
entry, and the policy acknowledgement dialog fits a 1280x800 screen with its
buttons.  Screenshots go to tests/artifacts/pidgin-*."""
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from uitest import (ClientSetup, Tap, SANITIZER_MARKERS, TOKEN, PAGE_ID, PROTOCOL,  # noqa: E402
                    REPO_ROOT, wait_until)
from xdisplay import Client, Screen, Xvfb, find_image, pixels_differing, rgba  # noqa: E402
from purple_dbus import SessionBus, buddy_state  # noqa: E402
from cdn_emulator import CdnEmulator  # noqa: E402

CUSTOMER_ID, CUSTOMER = "5001", "Ann Customer"
TITLE = "Ann Customer · Facebook"       # the name and the platform
ICONS = os.path.join(REPO_ROOT, "data", "icons")
QUESTION = "Where is my <b>order</b> & the receipt?"
REPLY = "Thanks Ann, let me look into it."
GREETING = "Hi Ann, thanks for waiting & <sorry> for the delay."
CLOSING = "Glad we could help, Ann. Have a good day!"
CARD = "Your card 4111 1111 1111 1111 is on file"
LATER = "Let me check that for you."
POLICY_DIALOG = "BrandDM message policy"
SCREEN_W, SCREEN_H = 1280, 800


def count_sent(setup, text):
    return setup.sent_texts(CUSTOMER_ID).count(text)


def send_line(screen, window, text):
    screen.focus(window)
    screen.type(text)
    screen.key("Return")


def saved_conversation(screen, window):
    """The conversation as Pidgin shows it, saved with Conversation >
    Save As... (HTML): the one way to read the window's text back."""
    with tempfile.TemporaryDirectory(prefix="bdm-pidgin-save-") as tmp:
        path = os.path.join(tmp, "conversation.html")
        screen.focus(window)
        screen.key("alt+c", "s")
        dialog = screen.wait_window("^Save Conversation$", 5)
        if dialog is None:
            screen.key("Escape", "Escape")
            return None
        screen.focus(dialog)
        # Replace the suggested file name with a full path.
        screen.key("ctrl+a")
        screen.type(path)
        screen.key("Return")
        if not wait_until(lambda: os.path.exists(path) and os.path.getsize(path) > 0, 5):
            return None
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()


def plain(html_text):
    """Text of saved HTML, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text or ""))


def test_conversation(t, setup, screen):
    t.ok(wait_until(setup.polled_with_token, 30),
         "Pidgin signs the saved account on: the emulator is polled with its token")
    setup.emu.add_customer_message(CUSTOMER_ID, CUSTOMER, QUESTION)
    window = screen.wait_window(r"^%s( \[waiting\])?$" % TITLE, 20)
    t.ok(window, "the customer's message opens a conversation window")
    if window is None:
        return None
    t.ok(wait_until(lambda: screen.name(window) == TITLE + " [waiting]", 10),
         "the window is titled with the customer's name, the platform, and that they wait "
         "for an answer", screen.name(window))
    t.ok(not screen.windows("^%s$" % CUSTOMER_ID), "no window is titled with the bare id")
    buddy_list = screen.wait_window("^Buddy List$", 5)
    if buddy_list:
        screen.place(buddy_list, 0, 0, 320, 700)
    screen.place(window, 330, 0, 820, 700)

    send_line(screen, window, REPLY)
    t.ok(wait_until(lambda: count_sent(setup, REPLY) == 1, 15),
         "a reply typed into the window reaches the Send API", setup.emu.sent)
    return window


def test_history(t, setup, screen, window):
    """The agent closes the conversation; the customer writes again: the new
    window shows the earlier messages first, marked, and the new one once.
    Returns the new window."""
    screen.focus(window)
    screen.key("ctrl+w")
    t.ok(wait_until(lambda: not screen.windows(r"^%s( \[.*\])?$" % TITLE), 10),
         "Ctrl+W closes the conversation window")
    setup.emu.add_customer_message(CUSTOMER_ID, CUSTOMER, "any news?")
    window = screen.wait_window(r"^%s( \[.*\])?$" % TITLE, 30)
    t.ok(window, "the customer's message opens it again")
    if window is None:
        return None
    screen.place(window, 330, 0, 820, 700)
    time.sleep(1)
    text = plain(saved_conversation(screen, window)).splitlines()
    earlier = [i for i, x in enumerate(text) if "[earlier, " in x]
    news = [i for i, x in enumerate(text) if "any news?" in x]
    t.ok(len(earlier) >= 3 and any(QUESTION in text[i] for i in earlier),
         "earlier messages are shown first, each marked as earlier", "\n".join(text))
    t.ok(len(news) == 1 and earlier and news[0] > earlier[-1],
         "the new message once, after them", "\n".join(text))
    error = screen.screenshot(setup.artifact("history.png"), window)
    t.eq(error, "", "screenshot of the reopened conversation with its history")
    return window


def test_templates(t, setup, screen, window):
    send_line(screen, window, "/tpl greeting")
    # The helper inserts from the main loop, just after the command returns.
    time.sleep(0.5)
    screenshot_error = screen.screenshot(setup.artifact("template-inserted.png"), window)
    t.ok(wait_until(lambda: count_sent(setup, GREETING) > 0, 1) is None,
         "/tpl greeting does not send by itself", setup.emu.sent)
    screen.key("Return")
    t.ok(wait_until(lambda: count_sent(setup, GREETING) == 1, 15),
         "/tpl greeting filled the entry: Return sends the template, & and < literally",
         setup.emu.sent)
    t.ok(screenshot_error == "", "screenshot of the inserted template", screenshot_error)

    # Near miss: an unknown name leaves the entry empty, so Return sends nothing.
    send_line(screen, window, "/tpl nosuch")
    before = len(setup.emu.sent)
    screen.key("Return")
    t.ok(wait_until(lambda: len(setup.emu.sent) > before, 3) is None,
         "/tpl with an unknown name puts nothing into the entry", setup.emu.sent[before:])

    # The toolbar's Templates button (Alt+T) lists templates, sorted: closing first.
    screen.focus(window)
    screen.key("alt+t")
    # The menu is a window of its own: take the screen around the conversation.
    menu_shot = screen.screenshot(setup.artifact("templates-menu.png"), crop="820x700+330+0")
    screen.key("Return")
    screen.key("Return")
    t.ok(wait_until(lambda: count_sent(setup, CLOSING) == 1, 15),
         "the Templates button puts the chosen template into the entry", setup.emu.sent)
    t.ok(menu_shot == "", "screenshot of the Templates button's menu", menu_shot)

    # Options > Templates: the last item of the Options menu, then the second template.
    screen.focus(window)
    screen.key("alt+o", "Up", "Right", "Down", "Return")
    screen.key("Return")
    t.ok(wait_until(lambda: count_sent(setup, GREETING) == 2, 15),
         "Options > Templates puts the chosen template into the entry", setup.emu.sent)


def test_policy(t, setup, screen, window):
    send_line(screen, window, CARD)
    blocks = wait_until(lambda: setup.blocks_logged(CUSTOMER_ID), 10) or []
    t.ok(len(blocks) == 1 and "sensitive.card" in (blocks[0][1] or ""),
         "the log records the blocked card number with its rule", blocks)
    t.ok(blocks and "4111 1111" not in (blocks[0][0] or ""),
         "the log keeps the card number masked", blocks)
    t.eq(count_sent(setup, CARD), 0, "the card number never reaches the Send API")
    error = screen.screenshot(setup.artifact("conversation.png"), window)
    t.ok(error == "", "screenshot of the conversation window saved", error)

    shown = plain(saved_conversation(screen, window))
    t.ok("Payment card number" in shown and "Not sent" in shown,
         "the window explains why the message was not sent", shown[-1500:])
    t.eq(shown.count("Not sent"), 1, "the notice has one heading, \"Not sent\"")
    t.ok("«•••• •••• •••• 1111»" in shown,
         "the card number is quoted masked, its last four digits shown", shown[-1500:])
    t.ok("4111" not in shown and "is on file" not in shown,
         "the refused text is not repeated in the window", shown[-1500:])
    # The text is back in the entry: Return sends it again, and it is
    # stopped again, the same text to the letter.
    screen.focus(window)
    screen.key("Return")
    again = wait_until(lambda: len(setup.blocks_logged(CUSTOMER_ID)) == 2, 10)
    blocks = setup.blocks_logged(CUSTOMER_ID)
    t.ok(again and blocks[0][0] == blocks[1][0],
         "the refused text was back in the entry: Return sends exactly it again", blocks)
    t.eq(count_sent(setup, CARD), 0, "and it is stopped again")
    # Emptied (Ctrl+A, BackSpace), Return sends nothing.
    screen.focus(window)
    screen.key("ctrl+a", "BackSpace", "Return")
    t.ok(wait_until(lambda: len(setup.blocks_logged(CUSTOMER_ID)) > 2, 2) is None,
         "the entry can be emptied", setup.blocks_logged(CUSTOMER_ID))
    t.ok(QUESTION in shown, "the customer's markup shows as literal text", shown[:1500])
    # BrandDM's log is the one record: Pidgin keeps no chat log of its own.
    purple_logs = setup.purple_log_text()
    t.eq(purple_logs.strip(), "", "Pidgin keeps no chat log of its own of the BrandDM "
         "conversation (replies, card number, nothing)")


def test_policy_dialog(t, setup, screen, window):
    """A new policy version: the acknowledgement dialog fits the 1280x800
    screen, its mnemonic acknowledges, and the refused reply is back in the
    entry to send."""
    setup.write(os.path.join(setup.sysconf, "policy.conf"), "[policy]\nversion = 2026-11\n")
    send_line(screen, window, "/policy reload")
    time.sleep(0.5)
    send_line(screen, window, LATER)
    dialog = screen.wait_window("^%s$" % POLICY_DIALOG, 10)
    t.ok(dialog, "the reply opens the policy acknowledgement dialog")
    if dialog is None:
        return
    time.sleep(0.5)
    shot = screen.screenshot(setup.artifact("policy-dialog.png"))
    t.ok(shot == "", "screenshot of the screen with the dialog", shot)
    box = screen.geometry(dialog)
    t.ok(box is not None and box[0] >= 0 and box[1] >= 0 and box[0] + box[2] <= SCREEN_W
         and box[1] + box[3] <= SCREEN_H,
         "the dialog, buttons included, lies within the %dx%d screen" % (SCREEN_W, SCREEN_H),
         box)
    t.eq(count_sent(setup, LATER), 0, "nothing is sent before the acknowledgement")
    # The button's mnemonic: "I have read and _acknowledge the policy".
    screen.focus(dialog)
    screen.key("alt+a")
    acked = wait_until(lambda: setup.log_rows("SELECT detail FROM record "
                                              "WHERE kind='policy_ack'"), 5)
    t.ok(acked and "2026-11" in acked[0][0], "Alt+A acknowledges the version, in the log",
         acked)
    t.ok(wait_until(lambda: not screen.windows("^%s$" % POLICY_DIALOG), 5),
         "the dialog closes")
    screen.focus(window)
    screen.key("Return")
    t.ok(wait_until(lambda: count_sent(setup, LATER) == 1, 15),
         "the refused reply was back in the entry: Return sends it now", setup.emu.sent)


def test_buddy_list(t, setup, screen, window, bus):
    def state():
        return buddy_state(bus, PAGE_ID, PROTOCOL, CUSTOMER_ID)

    t.eq(wait_until(state, 10), (TITLE, True),
         "the buddy list has the customer, by name, as available (shown without "
         "\"Show Offline Buddies\")")
    buddy_list = screen.wait_window("^Buddy List$", 5)
    t.ok(buddy_list, "the buddy list window is open")
    if buddy_list is None:
        return
    with tempfile.TemporaryDirectory(prefix="bdm-pidgin-blist-") as tmp:
        before = os.path.join(tmp, "before.png")
        before_error = screen.screenshot(before, buddy_list)
        send_line(screen, window, "/escalate billing urgent Charged twice for order 1234")
        tagged = wait_until(lambda: state() == (TITLE + " [billing, urgent]", True), 10)
        t.ok(tagged, "/escalate puts the department and urgency after the customer's name "
             "in the buddy list", state())
        send_line(screen, window, "/assign Alice Martin")
        assigned = wait_until(lambda: state() == (TITLE + " [billing, urgent, @Alice Martin]",
                                                  True), 10)
        t.ok(assigned, "/assign puts the assignee after the tags", state())
        time.sleep(0.5)
        after = setup.artifact("buddy-list.png")
        error = before_error or screen.screenshot(after, buddy_list)
        t.ok(error == "", "screenshot of the buddy list with the escalated customer", error)
        changed = pixels_differing(before, after) if not error else None
        t.ok(changed is not None and changed > 50,
             "the buddy list redrew the customer's row with the tags", changed)
    send_line(screen, window, "/resolve")
    t.ok(wait_until(lambda: state() == (TITLE, True), 10),
         "/resolve takes the tags and the assignee off the buddy list again", state())


def hint_pixels(path, top, bottom, left=360, right=596):
    """Pixels of Pidgin's greyed hint colour (#888a85) between rows top and
    bottom of a dialog screenshot: the text of a hint in an entry."""
    image = rgba(path)
    if image is None:
        return None
    width, height, data = image
    count = 0
    for y in range(top, min(bottom, height)):
        for x in range(left, min(right, width)):
            r, g, b = data[(y * width + x) * 4:(y * width + x) * 4 + 3]
            if abs(r - 0x88) <= 14 and abs(g - 0x8a) <= 14 and abs(b - 0x85) <= 14:
                count += 1
    return count


def test_add_account_dialog(t, setup, screen):
    # Buddy List > Accounts > Manage Accounts (Ctrl+A), then Add... (Alt+A).
    buddy_list = screen.wait_window("^Buddy List$", 5)
    t.ok(buddy_list, "the buddy list is open")
    if buddy_list is None:
        return
    screen.focus(buddy_list)
    screen.key("ctrl+a")
    accounts = screen.wait_window("^Accounts$", 5)
    t.ok(accounts, "Ctrl+A opens the Accounts window")
    if accounts is None:
        return
    screen.place(accounts, 0, 0, 420, 300)
    time.sleep(0.5)
    shot = setup.artifact("accounts.png")
    error = screen.screenshot(shot, accounts)
    t.ok(error == "", "screenshot of the Accounts window", error)
    # Pidgin draws the account list's protocol icons at 22 pixels.
    found = find_image(shot, os.path.join(ICONS, "22", "branddm-facebook.png"))
    t.ok(found is not None, "the account list shows BrandDM's own Facebook icon, pixel for "
         "pixel as shipped", shot)
    t.ok(find_image(shot, os.path.join(ICONS, "22", "branddm-x.png")) is None,
         "and not X's (the icons differ)")
    screen.focus(accounts)
    screen.key("alt+a")
    dialog = screen.wait_window("^Add Account$", 5)
    t.ok(dialog, "Add... opens the Add Account dialog")
    if dialog is None:
        return
    screen.place(dialog, 430, 0, 560, 420)
    # The protocol drop-down: open it, one step down from Bonjour.
    screen.focus(dialog)
    screen.click(dialog, 300, 85)
    screen.key("Down", "Return")
    # The dialog grows with the protocol's fields.
    screen.place(dialog, 430, 0, 600, 360)
    time.sleep(0.5)
    basic = setup.artifact("add-account.png")
    shots = [screen.screenshot(basic, dialog)]
    # The drop-down's icons are asked for with no account: each protocol
    # must answer for itself.
    t.ok(find_image(basic, os.path.join(ICONS, "16", "branddm-facebook.png")) is not None,
         "the protocol drop-down shows Facebook Page Messenger with its own icon", basic)
    # Username and Password rows (the dialog at 600x360): the Username
    # field holds the greyed hint "Facebook Page ID", the Password field nothing.
    username, password = hint_pixels(basic, 105, 130), hint_pixels(basic, 136, 161)
    t.ok(username is not None and password is not None and username > 15 and password < 5,
         "the empty Username field shows the hint (what the username is) in grey",
         (username, password))
    screen.key("alt+v")
    shots.append(screen.screenshot(setup.artifact("add-account-advanced.png"), dialog))
    t.ok(shots == ["", ""], "screenshots of the Add Account dialog, Basic and Advanced", shots)
    screen.key("Escape")


def pidgin_icondir():
    """Where Pidgin reads protocol icons: its DATADIR, fixed when it was built."""
    datadir = subprocess.run(["pkg-config", "--variable=datadir", "pidgin"],
                             stdout=subprocess.PIPE).stdout.decode().strip()
    return os.path.join(datadir or "/usr/share", "pixmaps", "pidgin", "protocols")


def with_icons(argv, tmp):
    """argv run so that Pidgin finds BrandDM's icons as after `make install`,
    without touching the system: `make install-icons` into a copy of Pidgin's
    icon directory, which a private mount namespace puts in its place for
    this Pidgin alone (unshare -m as root, else in a user namespace)."""
    icondir = pidgin_icondir()
    overlay = os.path.join(tmp, "protocols")
    env = dict(os.environ, MAKEFLAGS="", MFLAGS="")
    made = subprocess.run(["make", "-s", "-C", REPO_ROOT, "install-icons", "DESTDIR=" + tmp,
                           "PIDGIN_ICONDIR=/protocols"], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    if made.returncode != 0:
        raise RuntimeError("make install-icons failed: " + made.stdout.decode())
    # Pidgin's own icons stay: copies, since links would point into the mount.
    for sub in os.listdir(icondir):
        for name in os.listdir(os.path.join(icondir, sub)):
            target = os.path.join(overlay, sub, name)
            if not os.path.exists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy(os.path.join(icondir, sub, name), target)
    namespace = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-m"]
    return namespace + ["sh", "-c", 'mount --bind "$1" "$2" && shift 2 && exec "$@"', "sh",
                        overlay, icondir] + argv


def test_attachment(t, setup, screen, cdn, open_window):
    """A customer's photo is shown inline under their text, with its line.
    The open conversation is closed first: a new one would be a tab of it."""
    if open_window:
        screen.focus(open_window)
        screen.key("ctrl+w")
        wait_until(lambda: not screen.windows(r"^%s( \[.*\])?$" % TITLE), 10)
    setup.emu.add_customer_message("5009", "Bea Photo", "my cup arrived broken", attachments=[
        {"kind": "image", "url": cdn.url("cup.png"), "mime_type": "image/png",
         "name": "cup.png"}])
    window = screen.wait_window(r"^Bea Photo · Facebook( \[.*\])?$", 30)
    t.ok(window, "the customer's photo message opens a conversation window")
    if window is None:
        return
    screen.place(window, 330, 0, 820, 700)
    time.sleep(1.5)
    shot = setup.artifact("attachment.png")
    t.eq(screen.screenshot(shot, window), "", "screenshot of the conversation with the photo")
    image = rgba(shot)
    red = 0
    if image is not None:
        pixels = image[2]
        red = sum(1 for i in range(0, len(pixels), 4)
                  if pixels[i] > 240 and pixels[i + 1] < 15 and pixels[i + 2] < 15)
    t.ok(red >= 160 * 100 * 9 // 10, "the photo is drawn inline in the conversation",
         "%d red pixels" % red)
    text = plain(saved_conversation(screen, window))
    t.ok("my cup arrived broken" in text and "Attachment “cup.png” (image/png" in text and
         "saved as " in text, "the line names the file, its type and where it is saved", text)


def test_send_file(t, setup, screen, window):
    """Conversation > Send File... opens Pidgin's file chooser (closing it
    sends nothing); /attach sends a file, and the conversation shows the
    sent file's line after its caption."""
    path = os.path.join(setup.dir, "return-label.pdf")
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    screen.focus(window)
    screen.key("alt+c", "n")
    chooser = screen.wait_window(r"^Open File\.\.\.$", 10)
    t.ok(chooser, "Send File... is offered and opens Pidgin's file chooser")
    if chooser is not None:
        screen.focus(chooser)
        screen.key("Escape")
        t.ok(wait_until(lambda: not screen.windows(r"^Open File\.\.\.$"), 5),
             "the chooser closes with Escape")
    before = len([x for x in setup.emu.sent if x.get("attachment")])
    # A slow platform, so the upload is on screen long enough to look at.
    setup.emu.set_latency(4)
    send_line(screen, window, "/attach %s Your return label" % path)
    transfers = screen.wait_window(r"^File Transfers", 4)
    t.ok(transfers, "Pidgin's File Transfers window shows the upload while it runs",
         [screen.name(w) for w in screen.windows(".")])
    if transfers:
        shot = setup.artifact("send-file.png")
        t.eq(screen.screenshot(shot, transfers), "", "screenshot of the File Transfers window")
    t.ok(wait_until(lambda: any(x.get("attachment", {}).get("name") == "return-label.pdf"
                                for x in setup.emu.sent if x.get("attachment")), 30),
         "/attach in Pidgin sends the file to the platform", setup.emu.sent)
    setup.emu.set_latency(0)
    t.eq(len([x for x in setup.emu.sent if x.get("attachment")]), before + 1,
         "one file was sent (the closed chooser sent nothing)")
    if transfers:
        t.ok(wait_until(lambda: not screen.windows(r"^File Transfers"), 20),
             "the File Transfers window closes itself once the file is sent (Pidgin's "
             "default)")
    t.ok(wait_until(lambda: "Your return label" in setup.sent_texts(CUSTOMER_ID), 20),
         "the caption follows the file as a message (Messenger)", setup.emu.sent)
    time.sleep(1)
    text = plain(saved_conversation(screen, window))
    t.ok("Attachment “return-label.pdf” (application/pdf" in text and
         "Your return label" in text,
         "the conversation shows the sent file's line and its caption", text[-600:])


def main():
    t = Tap()
    setup = ClientSetup("pidgin", t)
    xvfb = Xvfb()
    bus = SessionBus()
    pidgin = None
    icons_tmp = None
    log_path = setup.artifact("debug.log")
    cdn = CdnEmulator().start()
    with setup:
        try:
            display = xvfb.start()
            bus.start()
            # NO_AT_BRIDGE: no accessibility bus to wait for on a bare X server.
            env = dict(setup.env, DISPLAY=display, NO_AT_BRIDGE="1", **bus.env())
            icons_tmp = tempfile.mkdtemp(prefix="bdm-pidgin-icons-")
            pidgin = Client(with_icons(["pidgin", "-c", setup.dir, "-d"], icons_tmp), env,
                            log_path)
            screen = Screen(display)
            found = []
            t.run("conversation", lambda t_: found.append(test_conversation(t_, setup, screen)))
            window = found[0] if found else None
            if window:
                t.run("templates", test_templates, setup, screen, window)
                t.run("policy", test_policy, setup, screen, window)
                t.run("policy dialog", test_policy_dialog, setup, screen, window)
                t.run("buddy list", test_buddy_list, setup, screen, window, bus)
                t.run("send file", test_send_file, setup, screen, window)
                reopened = []
                t.run("history", lambda t_: reopened.append(test_history(t_, setup, screen,
                                                                          window)))
            else:
                t.ok(False, "templates and policy checks need the conversation window")
            t.run("add account dialog", test_add_account_dialog, setup, screen)
            t.run("attachment", test_attachment, setup, screen, cdn,
                  reopened[0] if window and reopened else window)
            t.ok(pidgin.running(), "Pidgin ran to the end")
        finally:
            if pidgin is not None:
                pidgin.stop()
            xvfb.stop()
            bus.stop()
            cdn.stop()
            if icons_tmp:
                shutil.rmtree(icons_tmp, ignore_errors=True)
    with open(log_path, encoding="utf-8", errors="replace") as f:
        log = f.read()
    t.ok(not any(m in log for m in SANITIZER_MARKERS), "no sanitizer report", log[-3000:])
    t.ok(TOKEN not in log, "the access token is not in Pidgin's debug output")
    t.ok("UI helper" not in log and "branddm-ui: compose box helper attached" in log,
         "BrandDM loaded its Pidgin helper", "\n".join(l for l in log.splitlines()
                                                     if "branddm" in l)[-2000:])
    t.done()


main()
