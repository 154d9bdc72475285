from datetime import timedelta
from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.hq import selectors
from toki.hq.actions import instructions as ia
from toki.hq.models import ChronologyEntry, Instruction
from toki.hq.tests.helpers import HqTestCase


class InstructionActionTests(HqTestCase):
    def test_it_gives_an_instruction_with_an_audit_event_and_a_chronology_entry(self):
        instruction = self.instruct()
        self.assertEqual(instruction.status, "issued")
        self.assertEqual(instruction.district, self.ryotsu)  # from the org unit
        self.assertTrue(AuditEvent.objects.filter(action="hq.instruction_given", object_id=str(instruction.pk)))
        entry = ChronologyEntry.objects.get(source_type="hq.instruction", source_id=str(instruction.pk))
        self.assertEqual(entry.category, "instruction")
        self.assertEqual(entry.recipient, "両津支所")

    def test_it_refuses_a_branch_reporter_giving_instructions(self):
        with self.assertRaises(PermissionDenied):
            self.instruct(acting_user=self.bob)

    def test_it_needs_exactly_one_addressee_and_a_future_due_time(self):
        with self.assertRaises(ValidationError) as caught:
            self.instruct(to_org_unit=self.ryotsu_office, to_user=self.bob, title="",
                          due_at=timezone.now() - timedelta(minutes=1))
        self.assertEqual(set(caught.exception.message_dict), {"to", "title", "due_at"})

    def test_it_refuses_an_outsider_as_addressee(self):
        with self.assertRaises(ValidationError):
            self.instruct(to_user=self.eve)

    def test_it_lets_a_member_of_the_org_unit_acknowledge_start_and_complete(self):
        instruction = self.instruct()
        ia.acknowledge_instruction(acting_user=self.bob, instruction=instruction)
        ia.start_instruction(acting_user=self.bob, instruction=instruction)
        done = ia.complete_instruction(acting_user=self.bob, instruction=instruction, result="通行止めを確認")
        self.assertEqual(done.status, "done")
        self.assertEqual(done.done_by, self.bob)
        self.assertIsNotNone(done.time_to_acknowledge)
        self.assertGreaterEqual(done.time_to_done, done.time_to_acknowledge)
        steps = ChronologyEntry.objects.filter(source_id=str(instruction.pk), source_type="hq.instruction")
        self.assertEqual(steps.count(), 4)

    def test_it_refuses_someone_not_addressed(self):
        instruction = self.instruct()
        for user in (self.frank, self.carol, self.victor, self.eve):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                ia.acknowledge_instruction(acting_user=user, instruction=instruction)

    def test_it_lets_hq_answer_on_behalf_of_the_addressee(self):
        instruction = self.instruct(to_user=self.frank)
        ia.acknowledge_instruction(acting_user=self.alice, instruction=instruction)
        self.assertEqual(Instruction.objects.get(pk=instruction.pk).acknowledged_by, self.alice)

    def test_it_lets_the_addressed_person_answer(self):
        instruction = self.instruct(to_user=self.frank)
        ia.acknowledge_instruction(acting_user=self.frank, instruction=instruction)
        with self.assertRaises(PermissionDenied):
            ia.acknowledge_instruction(acting_user=self.bob, instruction=self.instruct(to_user=self.frank))

    def test_it_fills_skipped_steps_when_done_straight_away(self):
        instruction = ia.complete_instruction(acting_user=self.bob, instruction=self.instruct(), result="済")
        self.assertEqual(instruction.acknowledged_at, instruction.done_at)
        self.assertEqual(instruction.started_at, instruction.done_at)

    def test_it_does_nothing_twice_on_a_repeated_acknowledgement(self):
        instruction = self.instruct()
        first = ia.acknowledge_instruction(acting_user=self.bob, instruction=instruction)
        again = ia.acknowledge_instruction(acting_user=self.bob, instruction=instruction)
        self.assertEqual(first.acknowledged_at, again.acknowledged_at)
        self.assertEqual(AuditEvent.objects.filter(action="hq.instruction_acknowledged").count(), 1)

    def test_it_needs_a_result_to_complete(self):
        with self.assertRaises(ValidationError):
            ia.complete_instruction(acting_user=self.bob, instruction=self.instruct(), result=" ")

    def test_it_refuses_to_acknowledge_a_done_instruction(self):
        instruction = ia.complete_instruction(acting_user=self.bob, instruction=self.instruct(), result="済")
        with self.assertRaises(ValidationError):
            ia.acknowledge_instruction(acting_user=self.bob, instruction=instruction)

    def test_it_lets_hq_cancel_with_a_reason(self):
        instruction = ia.cancel_instruction(acting_user=self.alice, instruction=self.instruct(), reason="重複")
        self.assertEqual(instruction.status, "cancelled")
        with self.assertRaises(PermissionDenied):
            ia.cancel_instruction(acting_user=self.bob, instruction=self.instruct(), reason="x")


class InstructionSelectorTests(HqTestCase):
    def test_it_puts_overdue_and_unacknowledged_first_and_filters_them(self):
        calm = self.instruct(title="calm", priority="urgent")
        later = timezone.now() + timedelta(minutes=30)
        with mock.patch("django.utils.timezone.now", return_value=later):
            late = self.instruct(title="late", priority="normal", due_at=later + timedelta(minutes=5))
        # Seen 20 minutes on: `late` is not due yet, but `calm` has gone 20 minutes without 受領… both need
        # attention at +50 min; at +20 only `calm` does.
        with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=20)):
            attention = list(selectors.instructions_for(self.alice, self.incident, state="attention"))
            ordered = list(selectors.instructions_for(self.alice, self.incident, state="open"))
        self.assertEqual(attention, [calm])
        self.assertEqual(ordered[0], calm)
        self.assertIn(late, ordered)

    def test_it_shows_each_recipient_their_own_open_instructions(self):
        to_ryotsu = self.instruct()
        to_frank = self.instruct(to_user=self.frank)
        self.assertEqual(list(selectors.my_instructions(self.bob)), [to_ryotsu])
        self.assertEqual(list(selectors.my_instructions(self.frank)), [to_frank])
        ia.complete_instruction(acting_user=self.frank, instruction=to_frank, result="済")
        self.assertEqual(list(selectors.my_instructions(self.frank)), [])

    def test_it_shows_outsiders_nothing(self):
        self.instruct()
        self.assertFalse(selectors.instructions_for(self.eve).exists())
        self.assertFalse(selectors.instructions_for(self.dave).exists())
