"""The service as data, set up from a file (docs/rides.md "Setting up the service"): drivers get a code, the service
file's key, and a meeting point can be taken out of service (kept for the bookings that name it)."""

from django.db import migrations, models


def code_the_drivers(apps, schema_editor):
    Driver = apps.get_model("rides", "Driver")
    for driver in Driver.objects.filter(code=""):
        driver.code = f"driver-{driver.pk}"
        driver.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [("rides", "0004_rider_line_link")]

    operations = [
        migrations.AddField(
            model_name="meetingpoint", name="active", field=models.BooleanField(default=True)),
        migrations.AddField(
            model_name="driver", name="code",
            field=models.SlugField(default="", help_text="the service file's key (docs/rides.md)", max_length=40),
            preserve_default=False),
        migrations.RunPython(code_the_drivers, migrations.RunPython.noop),
        migrations.AlterModelOptions(name="driver", options={"ordering": ["area", "code"]}),
        migrations.AddConstraint(
            model_name="driver",
            constraint=models.UniqueConstraint(fields=("area", "code"), name="rides_driver_code_unique")),
    ]
