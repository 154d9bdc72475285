"""Instruction pages: an incident's instructions (filter, give), one instruction (answer it), my instructions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from toki.hq import selectors
from toki.hq.actions import instructions as instruction_actions
from toki.hq.forms import CancelForm, CompleteForm, InstructionForm
from toki.hq.permissions import may_answer_instruction, may_give_instructions
from toki.hq.views.common import form_error, require_staff

STATES = ("open", "attention", "closed", "all")
PAGE = 200


def _marked(instructions):
    now = timezone.now()
    items = list(instructions)
    for item in items:
        item.overdue, item.unacknowledged_late = item.is_overdue(now), item.is_unacknowledged_late(now)
    return items


@login_required
def incident_instructions(request, pk):
    incident = selectors.get_incident_for_user(request.user, pk)
    state = request.GET.get("state", "open")
    if state not in STATES:
        state = "open"
    can_give = may_give_instructions(request.user) and incident.is_active
    form = InstructionForm(request.POST or None, municipality=incident.municipality)
    if request.method == "POST":
        if not can_give:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                instruction = instruction_actions.give_instruction(
                    acting_user=request.user, incident=incident, title=data["title"], content=data["content"],
                    priority=data["priority"], due_at=data["due_at"], to_org_unit=data["to_org_unit"],
                    to_user=data["to_user"], district=data["district"])
            except ValidationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Instruction given to %(to)s.") % {"to": instruction.addressee})
                return redirect("hq:incident_instructions", pk=incident.pk)
    instructions = selectors.instructions_for(request.user, incident, state="" if state == "all" else state)
    return render(request, "hq/instruction_list.html", {
        "incident": incident, "instructions": _marked(instructions[:PAGE]), "state": state,
        "states": STATES, "form": form, "can_give": can_give,
    })


@login_required
def instruction_detail(request, pk):
    require_staff(request)
    instruction = selectors.get_instruction_for_user(request.user, pk)
    instruction.overdue, instruction.unacknowledged_late = instruction.is_overdue(), \
        instruction.is_unacknowledged_late()
    return render(request, "hq/instruction_detail.html", {
        "instruction": instruction, "incident": instruction.incident,
        "can_answer": may_answer_instruction(request.user, instruction) and instruction.is_open,
        "can_cancel": may_give_instructions(request.user) and instruction.is_open,
        "complete_form": CompleteForm(), "cancel_form": CancelForm(),
    })


STEPS = {
    "acknowledge": (None, instruction_actions.acknowledge_instruction, gettext_lazy("Acknowledged (受領).")),
    "start": (None, instruction_actions.start_instruction, gettext_lazy("Marked as started (着手).")),
    "complete": (CompleteForm, instruction_actions.complete_instruction, gettext_lazy("Reported done (完了).")),
    "cancel": (CancelForm, instruction_actions.cancel_instruction, gettext_lazy("Cancelled.")),
}


@login_required
@require_POST
def instruction_step(request, pk, step):
    require_staff(request)
    if step not in STEPS:
        raise Http404
    instruction = selectors.get_instruction_for_user(request.user, pk)
    form_class, action, done = STEPS[step]
    kwargs = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("hq:instruction", pk=instruction.pk)
        kwargs = form.cleaned_data
    try:
        action(acting_user=request.user, instruction=instruction, **kwargs)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, str(done))
    next_url = request.POST.get("next", "")
    if next_url == "mine":
        return redirect("hq:my_instructions")
    return redirect("hq:instruction", pk=instruction.pk)


@login_required
def my_instructions(request):
    require_staff(request)
    instructions = _marked(selectors.my_instructions(request.user)[:PAGE])
    for item in instructions:
        item.can_answer = may_answer_instruction(request.user, item)
    return render(request, "hq/my_instructions.html", {"instructions": instructions,
                                                        "complete_form": CompleteForm()})
