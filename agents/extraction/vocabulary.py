"""Word lists the rules use to tell a job from a mood or a pet from a question.

Kept apart from the rule tables so the tables read as patterns and the lists can grow alone.
"""

from __future__ import annotations

import re


def words(text: str) -> frozenset[str]:
    """A word list written as one spaced string, so long lists stay readable."""
    return frozenset(text.split())


OCCUPATIONS = words(
    "nurse doctor physician surgeon dentist pharmacist therapist counselor counsellor psychologist "
    "psychiatrist vet veterinarian paramedic midwife hygienist optometrist chiropractor physiotherapist "
    "caregiver nanny teacher educator professor lecturer tutor instructor coach trainer principal "
    "librarian student undergrad undergraduate postgrad grad phd postdoc researcher scientist engineer "
    "developer programmer coder designer architect analyst consultant accountant auditor banker economist "
    "lawyer attorney paralegal judge manager director executive ceo cto cfo founder cofounder co-founder "
    "entrepreneur freelancer contractor intern employee clerk secretary assistant administrator "
    "receptionist technician specialist coordinator officer cop policeman policewoman detective soldier "
    "veteran pilot driver mechanic electrician plumber carpenter welder machinist builder farmer rancher "
    "gardener landscaper chef cook baker butcher barista bartender waiter waitress server cashier realtor "
    "agent broker salesperson salesman saleswoman marketer recruiter journalist reporter editor writer "
    "author novelist poet blogger youtuber streamer influencer photographer videographer filmmaker "
    "producer animator illustrator artist painter sculptor musician singer songwriter composer dancer "
    "actor actress model comedian pastor priest minister rabbi imam curator historian biologist chemist "
    "physicist mathematician statistician sociologist linguist translator interpreter homemaker housewife "
    "househusband firefighter lifeguard florist tailor hairdresser hairstylist stylist barber "
    "cosmetologist esthetician attendant stewardess sailor captain fisherman worker volunteer retiree "
    "dietitian nutritionist pediatrician neurologist cardiologist radiologist anesthesiologist "
    "epidemiologist archaeologist geologist meteorologist astronomer programmer sysadmin devops tester "
    "owner operator"
)
IDENTITY_HEADS = words(
    "introvert extrovert ambivert optimist pessimist perfectionist minimalist person owl bird homebody "
    "procrastinator planner overthinker empath immigrant expat native local newcomer citizen resident"
)
FAN_HEADS = words("fan lover enthusiast buff junkie nerd geek addict foodie fanatic aficionado connoisseur")
SKILL_HEADS = words("beginner newbie novice amateur expert pro")
PARENT_HEADS = words("mom mother mum dad father parent mama papa")
DIETS = (
    r"vegetarian|vegan|pescatarian|pescetarian|plant-based|gluten-free|dairy-free|keto|paleo|kosher|halal|"
    r"lacto-ovo vegetarian|flexitarian|carnivore"
)
HEALTH_CONDITIONS = (
    r"type [12] diabetes|diabetes|asthma|adhd|autism|anxiety|depression|ptsd|ocd|celiac(?: disease)?|arthritis|"
    r"migraines?|insomnia|sleep apnea|high blood pressure|hypertension|high cholesterol|ibs|crohn's(?: disease)?|"
    r"eczema|psoriasis|epilepsy|cancer|a heart condition|chronic pain|back pain|a bad (?:knee|back)|lupus|"
    r"fibromyalgia|endometriosis|pcos|hypothyroidism|anemia|scoliosis|tinnitus|dyslexia|long covid|"
    r"bipolar(?: disorder)?|an? (?:anxiety|eating|sleep) disorder|acid reflux|gerd|a knee injury|an injury"
)
RELATIVES = (
    r"(?:(?:best|close|old|childhood|closest|good|dear|younger|older|little|big|baby|twin|elder|oldest|"
    r"youngest|new|ex-)\s+)?"
    r"(?:friend|boyfriend|girlfriend|partner|wife|husband|spouse|fianc[eé]e?|sister|brother|sibling|mom|"
    r"mother|mum|dad|father|son|daughter|kid|child|baby|grandma|grandmother|grandpa|grandfather|aunt|uncle|"
    r"cousin|niece|nephew|roommate|housemate|flatmate|boss|manager|coworker|co-worker|colleague|neighbou?r|"
    r"mentor|twin|stepmom|stepdad|stepmother|stepfather|stepsister|stepbrother|mother-in-law|"
    r"father-in-law|sister-in-law|brother-in-law|grandson|granddaughter|godmother|godfather|bestie|bff)"
)
RELATIVES_PLURAL = (
    r"(?:friends|sisters|brothers|siblings|parents|sons|daughters|kids|children|grandparents|grandkids|"
    r"grandchildren|cousins|in-laws|twins|roommates|coworkers|co-workers|colleagues|neighbou?rs|family)"
)
_RELATION_KEYS = {
    "mom": "mother",
    "mum": "mother",
    "stepmom": "stepmother",
    "dad": "father",
    "stepdad": "stepfather",
    "wife": "spouse",
    "husband": "spouse",
    "boyfriend": "partner",
    "girlfriend": "partner",
    "fiance": "partner",
    "fiancé": "partner",
    "fiancee": "partner",
    "fiancée": "partner",
    "bestie": "friend",
    "bff": "friend",
    "kid": "child",
    "kids": "children",
    "baby": "child",
    "coworker": "colleague",
    "co-worker": "colleague",
    "coworkers": "colleague",
    "co-workers": "colleague",
    "colleagues": "colleague",
    "neighbour": "neighbor",
    "grandkids": "grandchildren",
    "grandma": "grandmother",
    "grandpa": "grandfather",
    "bosses": "boss",
}
MANY_OF_A_KIND = words("friend colleague neighbor roommate housemate flatmate mentor cousin")

PETS = (
    r"(?:dog|puppy|pup|cat|kitten|kitty|bird|parrot|parakeet|budgie|cockatiel|hamster|rabbit|bunny|guinea pig|"
    r"goldfish|betta fish|fish|turtle|tortoise|snake|lizard|gecko|bearded dragon|horse|pony|ferret|chinchilla|"
    r"rat|hedgehog|pig|chickens?|goat|iguana|axolotl|dogs|cats|puppies|kittens)"
)
_PET_KEYS = {"puppy": "dog", "pup": "dog", "puppies": "dog", "dogs": "dog", "kitten": "cat", "kitty": "cat",
             "kittens": "cat", "cats": "cat", "bunny": "rabbit", "chickens": "chicken"}  # fmt: skip

POSSESSABLE = words(
    "car truck van suv minivan jeep tesla motorcycle motorbike bike bicycle scooter moped house home "
    "apartment flat condo townhouse cabin cottage boat yacht kayak canoe garden backyard yard pool hot "
    "tub laptop computer pc macbook desktop phone iphone smartphone android tablet ipad kindle e-reader "
    "camera dslr tv television piano guitar violin cello drum drums keyboard ukulele saxophone flute "
    "trumpet console playstation ps5 ps4 xbox switch printer smartwatch watch fitbit telescope drone "
    "grill smoker fryer blender espresso subscription membership collection tattoo tattoos treadmill rv "
    "camper garage shed greenhouse aquarium tank bonsai plants plant fridge dishwasher roomba vacuum "
    "headphones airpods sewing"
)

VEHICLE_HEADS = words(
    "car sedan hatchback coupe convertible suv minivan jeep crossover pickup prius civic corolla camry "
    "accord mustang outback forester rav4 crv cr-v wrangler"
)
VEHICLE_MAKES = words(
    "tesla honda toyota ford bmw audi mercedes volkswagen vw subaru mazda nissan hyundai kia volvo chevy "
    "chevrolet porsche lexus fiat peugeot renault skoda"
)
"""Car types and models (as the head noun) and makes (anywhere in the phrase): "a Civic", "a Tesla
Model 3" and "my old car" all fill ``possession:car``, so selling one and buying another meet."""


def possession_key(phrase_words: list[str], head: str) -> str:
    """Slot key of a belonging: "car" for a car type, model or make, else its head noun."""
    if head in VEHICLE_HEADS or any(word.lower() in VEHICLE_MAKES for word in phrase_words):
        return "car"
    return head


def relation_key(word: str) -> str:
    """Normalized relation for a slot key: "older sister" -> "sister", "mom" -> "mother", "kids" -> "children"."""
    words = word.lower().split()
    last = words[-1] if words else ""
    last = _RELATION_KEYS.get(last, last)
    if last.endswith("s") and last not in ("parents", "children", "grandchildren", "in-laws", "boss"):
        last = last[:-1]
    return last


def pet_key(word: str) -> str:
    """Normalized species: "puppy" -> "dog", "kittens" -> "cat"."""
    lowered = word.lower()
    return _PET_KEYS.get(lowered, lowered)


def is_occupation(head: str) -> bool:
    """Whether a noun names a job: listed, or built like one ("-ologist", "-ographer", "-ician")."""
    return (
        head in OCCUPATIONS
        or bool(re.search(r"(?:ologist|ographer|ician|ist)$", head))
        and head not in (IDENTITY_HEADS | {"tourist", "list", "wrist", "twist", "playlist", "cyclist"})
    )


def is_name(text: str) -> bool:
    """Whether a word was written as a proper name: capitalized and not a sentence word."""
    return bool(re.fullmatch(r"[A-Z][a-zA-Z'-]+", text)) and text not in _NOT_NAMES


_NOT_NAMES = words(
    "I And But So The A An This That It Is Was Has Had Who Which When Where While Because Also Just "
    "Really Recently Always Never Still Now Then Today Yesterday Tomorrow Mom Dad Mum Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday He She They We You My Our Their His Her Its To For In On "
    "At Of With"
)
