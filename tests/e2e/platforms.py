"""Platform adapters for the end-to-end tests (imported by the test
scripts; not a test itself): how to start each platform's emulator and what
its brand account looks like."""
from protocol_suite import Platform, TOKEN
from graph_emulator import GraphEmulator
from x_emulator import XEmulator


class Facebook(Platform):
    protocol = "prpl-branddm-facebook"
    username = "1000"
    label = "Facebook"
    username_means = "Facebook Page ID"
    password_means = "Page access token"

    def make_emulator(self):
        return GraphEmulator(platform="messenger", page_id=self.username, token=TOKEN,
                             page_name="Acme")


class Instagram(Platform):
    protocol = "prpl-branddm-instagram"
    username = "1784000"
    label = "Instagram"
    username_means = "Instagram account ID or Page ID"
    password_means = "Page access token"

    def make_emulator(self):
        return GraphEmulator(platform="instagram", page_id=self.username, token=TOKEN,
                             page_name="acme.shop")


class X(Platform):
    protocol = "prpl-branddm-x"
    username = "2000"
    label = "X"
    username_means = "X user ID (numeric)"
    password_means = "OAuth 2.0 user access token"
    poll_interval = 5       # the module's minimum: X allows 300 reads per 15 minutes

    def make_emulator(self):
        return XEmulator(user_id=self.username, token=TOKEN, name="Acme")
