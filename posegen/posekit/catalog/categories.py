"""The studio catalogue's category tree: 13 top-level categories, 2–3 levels deep.

Poses hang on leaf categories; a parent's count is the sum of its descendants'. Slugs are stable
keys (the seed command upserts categories by slug), display names are what the gallery shows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    description: str
    icon: str = "folder"
    color: str = "#3b82f6"
    parent: str | None = None
    order: int = 0
    tags: tuple[str, ...] = ()  # added to every pose filed here

    @property
    def display_name(self) -> str:
        return self.name


def _tree() -> tuple[Category, ...]:
    out: list[Category] = []

    def top(slug: str, name: str, description: str, icon: str, color: str, tags: tuple[str, ...] = ()) -> str:
        out.append(Category(slug, name, description, icon, color, None, len([c for c in out if c.parent is None]),
                            tags))
        return slug

    def sub(parent: str, slug: str, name: str, description: str, tags: tuple[str, ...] = ()) -> str:
        siblings = len([c for c in out if c.parent == parent])
        color = next(c.color for c in out if c.slug == parent)
        icon = next(c.icon for c in out if c.slug == parent)
        out.append(Category(slug, name, description, icon, color, parent, siblings, tags))
        return slug

    standing = top("standing", "Standing", "Upright poses for catalogues, lookbooks and profiles.", "person-standing",
                   "#3b82f6", ("standing",))
    sub(standing, "standing-professional", "Professional", "Composed, polished standing poses for corporate and "
        "LinkedIn portraits.", ("professional", "corporate", "business"))
    sub(standing, "standing-casual", "Casual", "Relaxed everyday standing poses.", ("casual", "everyday"))
    sub(standing, "standing-confident", "Confident", "Power stances and self-assured body language.",
        ("confident", "power pose"))
    sub(standing, "standing-leaning", "Leaning", "Leaning against a wall or on one shoulder.", ("leaning", "wall"))

    sitting = top("sitting", "Sitting", "Seated poses on chairs, stools and the floor.", "armchair", "#8b5cf6",
                  ("sitting", "seated"))
    sub(sitting, "sitting-chair", "Chair", "Sitting on a chair, bench or sofa.", ("chair",))
    sub(sitting, "sitting-stool", "Stool & Edge", "Perched on a stool or the edge of a seat.", ("stool",))
    sub(sitting, "sitting-floor", "Floor", "Sitting on the floor, the grass or the sand.", ("floor",))

    walking = top("walking", "Walking & Movement", "Walking, striding and running poses that bring energy.",
                  "footprints", "#10b981", ("movement",))
    sub(walking, "walking-street", "Walking", "Natural walking strides, towards or across the camera.",
        ("walking", "street"))
    sub(walking, "walking-runway", "Runway", "Catwalk strides for fashion lookbooks.", ("runway", "catwalk"))
    sub(walking, "walking-running", "Running", "Running and jogging for sportswear.", ("running", "sport"))

    hands = top("hands-arms", "Hands & Arms", "Standing poses built around what the hands and arms do.", "hand",
                "#f59e0b", ("hands", "arms"))
    sub(hands, "hands-hips-crossed", "Hips & Crossed Arms", "Hands on hips and folded arms.", ("body language",))
    sub(hands, "hands-raised", "Raised Arms", "Arms up, open and out to the sides.", ("arms up",))
    sub(hands, "hands-gestures", "Gestures", "Waving, pointing, thumbs up and other gestures.", ("gesture",))
    sub(hands, "hands-near-face", "Near the Face", "Hands on the chin, in the hair, shading the eyes.",
        ("portrait", "face"))

    product = top("product-showcase", "Product Showcase", "Holding, presenting and pointing at products for "
                  "e-commerce listings.", "shopping-bag", "#ef4444", ("product", "e-commerce", "shopee", "tokopedia"))
    holding = sub(product, "product-holding", "Holding", "The model holds the product.", ("holding",))
    sub(holding, "product-holding-chest", "At Chest Height", "A product held in front of the chest with one or both "
        "hands: packaging, bottles, boxes.", ("chest height",))
    sub(holding, "product-holding-face", "Beside the Face", "Skincare, cosmetics and drinks shown next to the face.",
        ("beside face", "beauty", "skincare"))
    sub(product, "product-presenting", "Presenting & Pointing", "Presenting a product placed beside the model or "
        "pointing at it.", ("presenting", "pointing"))
    sub(product, "product-seated", "Seated Showcase", "Showing a product while sitting.", ("seated",))

    fashion = top("fashion", "Fashion", "Editorial and lookbook poses for apparel.", "shirt", "#ec4899",
                  ("fashion", "lookbook", "ootd"))
    sub(fashion, "fashion-womenswear", "Womenswear Editorial", "Editorial poses drawn on a female figure.",
        ("womenswear", "editorial"))
    sub(fashion, "fashion-menswear", "Menswear", "Lookbook poses drawn on a male figure.", ("menswear",))
    sub(fashion, "fashion-street", "Street Style", "Off-duty, candid street-style poses.", ("street style", "candid"))

    fitness = top("fitness-yoga", "Fitness & Yoga", "Yoga asanas, workouts and stretches for activewear.",
                  "dumbbell", "#14b8a6", ("fitness", "activewear", "sport"))
    yoga = sub(fitness, "yoga", "Yoga", "Classic yoga poses.", ("yoga",))
    sub(yoga, "yoga-standing", "Standing Asanas", "Standing and balancing yoga poses.", ("asana", "balance"))
    sub(yoga, "yoga-floor", "Seated & Floor Asanas", "Seated, kneeling and floor yoga poses.", ("asana", "floor"))
    sub(fitness, "fitness-strength", "Strength", "Squats, lunges and power moves.", ("workout", "strength", "gym"))
    sub(fitness, "fitness-stretching", "Stretching", "Warm-up and cool-down stretches.", ("stretch", "warm up"))

    dance = top("dance", "Dance", "Ballet, street dance and party moves.", "music", "#a855f7", ("dance",))
    sub(dance, "dance-ballet", "Ballet", "Classical ballet positions and lines.", ("ballet", "graceful"))
    sub(dance, "dance-street", "Street & Party", "Hip-hop, disco and party moves.", ("hip hop", "party", "disco"))

    kneeling = top("kneeling-crouching", "Kneeling & Crouching", "Low poses: kneeling, squatting, crouching.",
                   "arrow-down", "#64748b", ("low angle",))
    sub(kneeling, "kneeling", "Kneeling", "Kneeling on one or both knees.", ("kneeling",))
    sub(kneeling, "crouching", "Crouching", "Squats and street-style crouches.", ("crouching", "squatting"))

    lying = top("lying-reclining", "Lying & Reclining", "Lying down and reclining for lifestyle and swimwear.",
                "bed", "#0ea5e9", ("lying", "lifestyle"))
    sub(lying, "lying-back", "On the Back", "Lying on the back.", ("on back",))
    sub(lying, "lying-side", "On the Side", "Lying on one side.", ("on side",))
    sub(lying, "lying-stomach", "On the Stomach", "Lying face down, propped up.", ("on stomach",))
    sub(lying, "reclining", "Reclining", "Sitting back on the hands.", ("reclining",))

    views = top("back-side-views", "Back & Side Views", "Profiles and back views: show the back of a garment or a "
                "silhouette.", "rotate", "#f97316", ("view",))
    sub(views, "views-back", "Back View", "Seen from behind.", ("back view", "from behind"))
    sub(views, "views-profile", "Profile", "Seen from the side.", ("side view", "profile", "silhouette"))
    sub(views, "views-over-shoulder", "Over the Shoulder", "Turned away, looking back over the shoulder.",
        ("over the shoulder",))

    action = top("jumping-action", "Jumping & Action", "Jumps and celebrations full of energy.", "zap", "#eab308",
                 ("action", "energy"))
    sub(action, "action-jumping", "Jumping", "Mid-air jumps.", ("jumping", "mid air"))
    sub(action, "action-celebrating", "Celebrating", "Victory, cheering and fist pumps.", ("celebrating", "winning"))

    lifestyle = top("lifestyle", "Lifestyle", "Everyday moments: phones, selfies, coffee.", "coffee", "#84cc16",
                    ("lifestyle", "everyday"))
    sub(lifestyle, "lifestyle-phone", "Phone & Selfie", "Selfies and looking at a phone.", ("phone", "selfie",
                                                                                            "social media"))
    sub(lifestyle, "lifestyle-coffee", "Coffee & Drinks", "Holding a cup, a drink or a bottle.", ("coffee", "drink"))
    return tuple(out)


CATEGORIES: tuple[Category, ...] = _tree()
CATEGORY_BY_SLUG: dict[str, Category] = {c.slug: c for c in CATEGORIES}


def category_path(slug: str) -> list[Category]:
    """Root first: [Product Showcase, Holding, At Chest Height]."""
    path = []
    node: Category | None = CATEGORY_BY_SLUG[slug]
    while node is not None:
        path.append(node)
        node = CATEGORY_BY_SLUG[node.parent] if node.parent else None
    return path[::-1]


def leaf_slugs() -> list[str]:
    parents = {c.parent for c in CATEGORIES if c.parent}
    return [c.slug for c in CATEGORIES if c.slug not in parents]


# How early a new shop sees a category's poses while nothing is popular yet (the library's default
# order is popularity, then this, then name): 0 the poses sellers use most, 2 niche ones (dance,
# yoga and fitness, jumps, lying, kneeling), 1 the rest. Without it a new shop's first page is
# alphabetical: arabesques and ballet positions before anyone standing with hands on hips.
SELLER_STAPLES = (
    "standing-confident", "standing-casual", "standing-professional", "hands-hips-crossed",
    "product-holding-chest", "product-presenting", "walking-street", "fashion-womenswear", "fashion-menswear",
)
NICHE_ROOTS = ("dance", "fitness-yoga", "jumping-action", "lying-reclining", "kneeling-crouching")


def category_seller_rank(slug: str) -> int:
    """0, 1 or 2 (see :data:`SELLER_STAPLES`); 1 for a category not in the catalogue."""
    if slug in SELLER_STAPLES:
        return 0
    if slug not in CATEGORY_BY_SLUG:
        return 1
    return 2 if category_path(slug)[0].slug in NICHE_ROOTS else 1
