"""The Label Studio labeling config and annotator instructions, generated from the label schema."""

from __future__ import annotations

from html import escape
from xml.sax.saxutils import quoteattr

from newsdesk.labelschema import Label, LabelSchema

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


def label_config(schema: LabelSchema) -> str:
    """XML for one campaign project: context, the sentence with span labels, the stance choice."""
    colours = iter(PALETTE * 2)
    events = "\n".join(_label_tag("Label", label, next(colours)) for label in schema.events.types)
    roles = "\n".join(_label_tag("Label", label, next(colours)) for label in schema.roles.labels)
    stances = "\n".join(_label_tag("Choice", label) for label in schema.stance.labels)
    return f"""<View>
  <Style>.nd-context {{ color: #555; font-size: 90%; }} .nd-sentence {{ font-size: 120%; }}</Style>
  <Header value="$title" size="4"/>
  <Text name="meta" value="$meta"/>
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
  <Header value="$stance_question" size="5"/>
  <Choices name="{STANCE}" toName="{SENTENCE}" choice="single-radio" required="true">
{stances}
  </Choices>
  <Collapse><Panel value="Whole article"><Text name="article" value="$article"/></Panel></Collapse>
</View>"""


def instructions(schema: LabelSchema, target: str, target_description: str = "") -> str:
    """Annotator instructions (HTML) from the schema's descriptions."""

    def items(labels: list[Label]) -> str:
        rows = (
            f"<li><b>{escape(x.value)}</b> [{escape(x.hotkey)}]: {escape(x.description)}</li>"
            for x in labels
        )
        return "<ul>" + "".join(rows) + "</ul>"

    return (
        f"<h3>Stance toward {escape(target)}</h3><p>{escape(target_description)}</p>"
        f"<p>{escape(schema.stance.description)}</p>{items(schema.stance.labels)}"
        f"<h3>Events</h3><p>{escape(schema.events.description)}</p>{items(schema.events.types)}"
        f"<h3>Argument roles</h3><p>{escape(schema.roles.description)}</p>"
        f"{items(schema.roles.labels)}"
    )
