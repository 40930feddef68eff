"""Platform adapters for the end-to-end tests
(imported by the test scripts; not a test itself)."""
from protocol_suite import Platform, TOKEN
from graph_emulator import GraphEmulator


class Facebook(Platform):
    protocol = "prpl-branddm-facebook"
    username = "1000"

    def make_emulator(self):
        return GraphEmulator(platform="messenger", page_id=self.username, token=TOKEN,
                             page_name="Acme")
