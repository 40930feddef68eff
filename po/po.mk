# Translations.  `make pot` refreshes po/POTFILES and po/branddm.pot from the
# sources the fragments list; `make update-po` merges the template into every
# catalogue; the .mo files are built beside the plugin (branddm-locale/), which
# is where the plugin looks first, so a per-user install is translated too.
LINGUAS  := de es
MO_FILES := $(foreach l,$(LINGUAS),$(BUILD)/plugins/branddm-locale/$(l)/LC_MESSAGES/branddm.mo)
EXTRA_ALL += $(MO_FILES)

$(BUILD)/plugins/branddm-locale/%/LC_MESSAGES/branddm.mo: po/%.po
	@mkdir -p $(dir $@)
	$(call say,MSGFMT,$<)
	$(Q)msgfmt --check -o $@ $<

.PHONY: pot update-po
pot:
	printf '%s\n' $(sort $(POTFILES)) > po/POTFILES
	xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --add-comments=TRANSLATORS \
	  --package-name=branddm --package-version=$(VERSION) \
	  --files-from=po/POTFILES -o po/branddm.pot

update-po: pot
	for l in $(LINGUAS); do msgmerge --update --backup=none po/$$l.po po/branddm.pot; done

INSTALL_EXTRA += for l in $(LINGUAS); do install -D -m 0644 \
  $(BUILD)/plugins/branddm-locale/$$l/LC_MESSAGES/branddm.mo \
  $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/branddm.mo; done;
INSTALL_USER_EXTRA += for l in $(LINGUAS); do install -D -m 0644 \
  $(BUILD)/plugins/branddm-locale/$$l/LC_MESSAGES/branddm.mo \
  $(PURPLE_DIR)/plugins/branddm-locale/$$l/LC_MESSAGES/branddm.mo; done;
UNINSTALL_EXTRA += for l in $(LINGUAS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/branddm.mo; done;
