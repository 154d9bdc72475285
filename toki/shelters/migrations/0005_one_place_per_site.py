"""One place per physical site (issue 14, item 2): every imported row becomes a ShelterDesignation, and rows that
are the same site (toki.shelters.sites.same_site) are merged into one Shelter, keeping every opening, shelter
team and pre-registration (they move to the kept row). A pair that cannot be merged safely (both rows have a live
opening for the same incident) is left as it is and named in the output; re-run after closing one of them
(`manage.py merge_shelter_sites`)."""

from django.db import migrations, models
import django.db.models.deletion


def merge_sites(apps, schema_editor):
    from toki.shelters.merging import merge_all_sites

    for line in merge_all_sites(apps):
        print(f"\n  {line}", end="")


class Migration(migrations.Migration):
    dependencies = [("shelters", "0004_checkin_events_append_only")]

    operations = [
        migrations.CreateModel(
            name="ShelterDesignation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("common_id", models.CharField(max_length=40, unique=True, verbose_name="common ID")),
                ("kind", models.CharField(choices=[("designated_shelter", "Designated shelter (指定避難所)"),
                                                   ("emergency_site",
                                                    "Designated emergency evacuation site (指定緊急避難場所)")],
                                          max_length=20, verbose_name="designation")),
                ("values", models.JSONField(default=dict, verbose_name="fields as listed")),
                ("imported_at", models.DateTimeField(auto_now_add=True, verbose_name="first imported")),
                ("shelter", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="designations", to="shelters.shelter")),
            ],
            options={"verbose_name": "designation", "verbose_name_plural": "designations",
                     "ordering": ["common_id"]},
        ),
        migrations.AddField(
            model_name="shelter", name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="names in other languages"),
        ),
        migrations.RunPython(merge_sites, migrations.RunPython.noop),
    ]
