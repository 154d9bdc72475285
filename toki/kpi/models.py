"""The plan as data (docs/kpi.md): a Plan of 基本目標 (Goal) → 施策 (Measure, the plan's 実現したい未来のイメージ) →
取組項目 (PlanAction) and KPIs, each KPI with yearly Targets; Results recorded by an owner or computed by a metric
provider; PDCA notes per KPI and fiscal year.

Years are fiscal years named by the calendar year they start in (FY2024 = 令和6年度, April 2024 – March 2025). A
target may span several years (the plan's 令和11-13年 column): `first_year`..`last_year`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.accounts.models import OrgUnit
from toki.areas.models import Municipality


class Plan(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    first_year = models.PositiveSmallIntegerField(_("first fiscal year"))
    last_year = models.PositiveSmallIntegerField(_("last fiscal year"))
    fiscal_year_start_month = models.PositiveSmallIntegerField(_("fiscal year starts in month"), default=4)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="kpi_plan_code_unique")]

    def __str__(self):
        return self.title


class Goal(models.Model):
    """基本目標."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    field = models.CharField(_("field"), max_length=100, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="kpi_goal_number_unique")]

    def __str__(self):
        return f"基本目標{self.number}"


class Measure(models.Model):
    """施策: one of the plan's 実現したい未来のイメージ, with the departments in charge."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=300)
    departments = models.JSONField(_("departments"), default=list)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["goal", "code"], name="kpi_measure_code_unique")]

    def __str__(self):
        return self.title


class PlanAction(models.Model):
    """取組項目: what the city does under a measure, with what the plan says for each year."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=300)
    timeline = models.JSONField(_("timeline"), default=dict)  # {"2024": "ポータルサイト構築（予定）", ...}

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.title


class Kpi(models.Model):
    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")
        STAGE = "stage", _("Stage reached")

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="kpis")
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    stages = models.JSONField(_("stages"), default=list)  # stage KPIs: the stage names, first to last
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    owner = models.ForeignKey(OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"))
    owner_name = models.CharField(_("owning department"), max_length=100, blank=True)
    cadence = models.CharField(_("update cadence"), max_length=10, choices=Cadence.choices)
    # A figure that accumulates over the year (visits, 周知回数) is compared inside the year with a pro-rata share of
    # its target; a level (a rate, a score, a count of households) with the whole target.
    accumulates = models.BooleanField(_("accumulates over the year"), default=False)
    # 短縮時間 KPIs: the result is the baseline (minutes the work took before Toki, measured once by the city)
    # minus what the metric measures.
    saved_against_baseline = models.BooleanField(_("result is the baseline minus the measured figure"),
                                                 default=False)
    metric = models.CharField(_("metric"), max_length=80, blank=True)  # key of a metric provider; "" = manual
    definition = models.TextField(_("definition"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # the owner was last reminded of an overdue update

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.name


class Target(models.Model):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)  # stage KPIs: stage index
    label = models.CharField(max_length=100, blank=True)  # the plan's own wording, e.g. 「3地区・80世帯」

    class Meta:
        ordering = ["first_year"]

    def __str__(self):
        return f"{self.kpi_id} {self.first_year}-{self.last_year}: {self.label or self.value}"


class Result(models.Model):
    """A figure for one KPI and fiscal year. Append-only: the latest row per KPI and year is the result; the earlier
    ones are its history. Computed results name the metric and carry the provider's definition."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by the owner")
        COMPUTED = "computed", _("Measured by Toki")

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="results")
    fiscal_year = models.PositiveSmallIntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=10, choices=Source.choices)
    as_of = models.DateField(_("as of"))
    note = models.TextField(_("note"), blank=True)
    evidence_url = models.URLField(_("evidence (link)"), blank=True)
    details = models.JSONField(default=dict)  # computed: numerator, denominator, the provider's words
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kpi", "fiscal_year", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["kpi", "fiscal_year", "-recorded_at"], name="kpi_result_latest_idx")]

    def __str__(self):
        return f"{self.kpi_id} {self.fiscal_year}: {self.value}"


class Note(models.Model):
    """PDCA notes for one KPI and fiscal year: 要因分析 and 改善方針, through internal and external review."""

    class Stage(models.TextChoices):
        DRAFT = "draft", _("Draft")
        INTERNAL = "internal", _("Internal review done")
        EXTERNAL = "external", _("External review done")

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="notes")
    fiscal_year = models.PositiveSmallIntegerField()
    analysis = models.TextField(_("要因分析"), blank=True)
    improvement = models.TextField(_("改善方針"), blank=True)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.DRAFT)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="kpi_note_year_unique")]

    def __str__(self):
        return f"{self.kpi_id} {self.fiscal_year} ({self.stage})"
