"""The Label Studio labeling config and annotator instructions, generated from the label schema."""

from __future__ import annotations

from html import escape
from xml.sax.saxutils import quoteattr

from newsdesk.foundations.labelschema import Label, LabelSchema

# Colour-blind-safe palette, cycled over span labels in schema order.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    "#999999", "#882255", "#44AA99", "#117733", "#332288", "#AA4499",
)  # fmt: skip

# Names of the control tags; the pull stage reads results by these names.
STANCE = "stance"
EVENT = "event"
ROLE = "role"
SENTENCE = "sentence"


def _label_tag(tag: str, label: Label, colour: str | None = None) -> str:
    attributes = [
        f"value={quoteattr(label.value)}",
        f"hotkey={quoteattr(label.hotkey)}",
        f"hint={quoteattr(label.description)}",
    ]
    if colour:
        attributes.append(f"background={quoteattr(colour)}")
    return f"    <{tag} {' '.join(attributes)}/>"


STYLE = (
    ".nd-meta { color: #555; font-size: 85%; }"
    " .nd-context { color: #666; font-size: 90%; padding: 2px 10px; }"
    " .nd-sentence { font-size: 125%; background: #FFF7E0; border-left: 6px solid #E69F00;"
    " padding: 10px 14px; margin: 4px 0 8px 0; }"
    " .nd-target { background: #EEF5FB; border-left: 6px solid #0072B2; padding: 6px 12px; }"
    " .nd-review { background: #F4F4F4; padding: 6px 12px; margin-bottom: 8px; }"
)


REVIEW_PANEL = """
  <View className="nd-review">
    <Header value="What the annotators said: decide, then label the sentence below" size="5"/>
    <HyperText name="opinions" value="$opinions"/>
  </View>"""


def label_config(
    schema: LabelSchema, target: str = "", description: str = "", *, review: bool = False
) -> str:
    """XML for one campaign project: the sentence to label set apart from its context, span
    labels above it, the stance question with the campaign's target and its definition; a
    review project shows every annotator's labels above all that."""
    colours = iter(PALETTE * 2)
    events = "\n".join(_label_tag("Label", label, next(colours)) for label in schema.events.types)
    roles = "\n".join(_label_tag("Label", label, next(colours)) for label in schema.roles.labels)
    stances = "\n".join(_label_tag("Choice", label) for label in schema.stance.labels)
    question = (
        f"Stance of the highlighted sentence toward {target}" if target else "$stance_question"
    )
    definition = (
        f'\n    <Header value={quoteattr(f"{target}: {description}")} size="6"/>'
        if target and description
        else ""
    )
    return f"""<View>
  <Style>{STYLE}</Style>
  <Header value="$title" size="4"/>{REVIEW_PANEL if review else ""}
  <View className="nd-meta"><Text name="meta" value="$meta"/></View>
  <View className="nd-context"><Text name="context_before" value="$context_before"/></View>
  <Labels name="{EVENT}" toName="{SENTENCE}" showInline="true">
{events}
  </Labels>
  <Labels name="{ROLE}" toName="{SENTENCE}" showInline="true">
{roles}
  </Labels>
  <View className="nd-sentence">
    <Text name="{SENTENCE}" value="${SENTENCE}" granularity="word"/>
  </View>
  <Relations><Relation value="argument"/></Relations>
  <View className="nd-context"><Text name="context_after" value="$context_after"/></View>
  <View className="nd-target">
    <Header value={quoteattr(question)} size="5"/>{definition}
  </View>
  <Choices name="{STANCE}" toName="{SENTENCE}" choice="single-radio" required="true">
{stances}
  </Choices>
  <Collapse><Panel value="Whole article"><Text name="article" value="$article"/></Panel></Collapse>
</View>"""


def _items(labels: list[Label]) -> str:
    rows = (
        f"<li><b>{escape(x.value)}</b> [key {escape(x.hotkey)}]: {escape(x.description)}</li>"
        for x in labels
    )
    return "<ul>" + "".join(rows) + "</ul>"


def instructions(schema: LabelSchema, target: str, target_description: str = "") -> str:
    """Annotator instructions (HTML) from the schema: what each label means and how to mark it,
    with the hotkeys of this labeling config."""
    first_event, first_role = schema.events.types[0], schema.roles.labels[0]
    return (
        f"<h3>Stance toward {escape(target)}</h3><p>{escape(target_description)}</p>"
        "<p>Label only the highlighted sentence; the grey lines before and after it, and the "
        "whole article below, are context.</p>"
        f"<p>{escape(schema.stance.description)} Press the number key of the stance:</p>"
        f"{_items(schema.stance.labels)}"
        f"<h3>Events</h3><p>{escape(schema.events.description)}</p>"
        "<p><b>To mark a trigger</b>: first press the key of its event type (for example "
        f"[{escape(first_event.hotkey)}] for {escape(first_event.value)}, or click the label "
        "above the sentence), then select its words with the mouse; a selection made before a "
        "label is chosen is not kept. Click a marked span and press Backspace to remove it.</p>"
        f"{_items(schema.events.types)}"
        f"<h3>Argument roles</h3><p>{escape(schema.roles.description)}</p>"
        "<p><b>To mark an argument</b>: press the key of its role (for example "
        f"[{escape(first_role.hotkey)}] for {escape(first_role.value)}), then select it. "
        "<b>To link it to its "
        "trigger</b>: click the argument span, press Alt+R, then click the trigger span; the "
        "link appears under Relations. Each argument links to one trigger.</p>"
        f"{_items(schema.roles.labels)}"
        "<p>Work in <b>Label All Tasks</b>: it gives you each sentence once and shows you "
        "only your own labels. Please do not open other people's tasks from the task list: "
        "agreement is measured on labels made without seeing each other's.</p>"
        "<p>Submit with Ctrl+Enter. Use Skip only when the sentence cannot be read (broken "
        "text, another language); a skipped sentence counts as not labeled.</p>"
    )
