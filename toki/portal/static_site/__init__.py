"""The static 軽量版 of the public portal (docs/static-site.md): `build` renders a snapshot, `publish` writes it
atomically, toki.portal.tasks republishes it after every public change."""
