"""Word lists for the synthetic corpus: enough variety that headlines read like news.

Kept apart from the generator so the generator stays about structure, not vocabulary.
Changing any list changes every generated corpus (bump `corpus.GENERATOR_VERSION`).
"""

from __future__ import annotations

# Word lists read best as paragraphs, not one word per line.
# fmt: off

# Topic name -> subjects a headline about it can be built around. Some names are mixed
# case or several words ("AI", "Computer Vision") as real content has them.
TOPICS: dict[str, tuple[str, ...]] = {
    "AI": ("large language models", "AI search engines", "generative AI", "AI chips", "foundation models"),
    "Computer Vision": ("image recognition", "computer vision", "camera-based inspection", "facial recognition"),
    "Machine Learning": ("machine learning", "deep learning models", "reinforcement learning", "neural networks"),
    "Robotics": ("humanoid robots", "warehouse robots", "robotic arms", "surgical robots", "robot dogs"),
    "Climate": ("carbon emissions", "heatwaves", "climate models", "sea-level rise", "methane leaks"),
    "Batteries": ("lithium-ion batteries", "solid-state batteries", "sodium-ion cells", "battery recycling"),
    "Energy Storage": ("grid-scale storage", "pumped hydro", "flow batteries", "thermal storage"),
    "Space": ("lunar landers", "reusable rockets", "satellite constellations", "the space station"),
    "Astronomy": ("exoplanets", "black holes", "the James Webb telescope", "distant galaxies", "dark matter"),
    "Quantum Computing": ("quantum computers", "qubits", "quantum error correction", "quantum sensors"),
    "Cybersecurity": ("ransomware", "zero-day exploits", "phishing campaigns", "password managers"),
    "Semiconductors": ("chip factories", "2-nanometre chips", "chipmaking tools", "memory chips"),
    "Biotech": ("gene therapies", "mRNA vaccines", "cell therapies", "synthetic biology"),
    "Genomics": ("genome sequencing", "CRISPR gene editing", "ancient DNA", "the human pangenome"),
    "Neuroscience": ("brain implants", "memory formation", "brain-computer interfaces", "sleep research"),
    "Electric Vehicles": ("electric cars", "EV charging networks", "electric trucks", "e-bikes"),
    "Renewable Energy": ("offshore wind", "green hydrogen", "geothermal plants", "community energy"),
    "Solar Power": ("perovskite solar cells", "rooftop solar", "solar farms", "floating solar"),
    "Nuclear Fusion": ("fusion reactors", "tokamaks", "laser fusion", "small modular reactors"),
    "Materials Science": ("graphene", "self-healing concrete", "new alloys", "metamaterials"),
    "Drones": ("delivery drones", "drone swarms", "agricultural drones", "air taxis"),
    "Autonomous Driving": ("self-driving cars", "robotaxis", "driver-assist systems", "autonomous trucks"),
    "Natural Language Processing": ("speech recognition", "machine translation", "chatbots", "text-to-speech"),
    "Healthcare": ("hospital wait times", "telemedicine", "cancer screening", "wearable monitors"),
    "Drug Discovery": ("antibiotics", "weight-loss drugs", "protein folding", "clinical trials"),
    "Physics": ("particle accelerators", "neutrinos", "superconductors", "gravitational waves"),
    "Chemistry": ("catalysts", "plastic recycling", "carbon capture", "green ammonia"),
    "Oceans": ("coral reefs", "deep-sea mining", "ocean currents", "marine heatwaves"),
    "Agriculture": ("vertical farms", "drought-resistant crops", "lab-grown meat", "soil health"),
    "Cloud Computing": ("data centres", "cloud outages", "serverless platforms", "AI compute clusters"),
    "Open Source": ("open-source software", "the Linux kernel", "open models", "software supply chains"),
    "Privacy": ("data brokers", "online tracking", "encrypted messaging", "age verification"),
    "5G": ("5G networks", "private 5G", "mobile spectrum", "6G research"),
    "IoT": ("smart home devices", "industrial sensors", "connected appliances", "smart meters"),
    "Blockchain": ("stablecoins", "crypto exchanges", "tokenised assets", "central bank digital currencies"),
    "Fintech": ("digital banks", "buy now, pay later", "instant payments", "open banking"),
    "Startups": ("start-up funding", "venture capital", "seed rounds", "tech unicorns"),
    "Smart Cities": ("traffic sensors", "smart streetlights", "urban air quality", "public transport apps"),
    "Wearables": ("smartwatches", "smart rings", "AR glasses", "hearing aids"),
    "3D Printing": ("3D-printed homes", "metal 3D printing", "bioprinting", "printed rocket engines"),
    "Education": ("online courses", "AI tutors", "coding schools", "exam cheating"),
}

ACTORS = (
    "Researchers", "Scientists", "Engineers", "Stanford researchers", "MIT engineers",
    "Oxford scientists", "ETH Zürich researchers", "A Berkeley team", "Caltech physicists",
    "Google", "Microsoft", "Apple", "Samsung", "Nvidia", "Intel", "IBM", "Siemens", "Toyota",
    "Tesla", "BMW", "Airbus", "NASA", "ESA", "The EU", "Regulators", "The UK government",
    "Japanese officials", "Indian start-ups", "A Swiss start-up", "A Danish firm",
    "Chinese researchers", "Korean engineers", "Brazilian scientists", "Doctors",
    "Economists", "Investors", "Analysts", "Hospitals", "Farmers", "City planners",
    "A Toronto lab", "Max Planck researchers", "Tsinghua engineers", "Cambridge chemists",
)

VERBS = (
    "unveil", "test", "scale up", "rethink", "launch", "demonstrate", "pilot", "build",
    "map", "simulate", "tackle", "improve", "speed up", "shrink", "cool", "redesign",
    "decode", "track", "automate", "stress-test", "fund", "crack", "power", "repurpose",
)

QUALIFIERS = (
    "that lasts twice as long", "in record time", "at a fraction of the cost",
    "without rare earths", "using off-the-shelf parts", "for the first time",
    "with 90% less energy", "ahead of schedule", "in real-world trials", "at city scale",
    "under extreme heat", "in under a minute", "across three continents", "with no human input",
    "despite supply shortages", "for rural clinics", "on a single charge", "in a landmark study",
    "after a decade of work", "with a tiny budget", "for low-income households",
    "in a surprise move", "that could change the industry", "amid growing scrutiny",
)

OUTCOMES = (
    "cut costs in half", "double efficiency", "slash emissions", "save lives",
    "reshape the market", "end a decades-old debate", "outperform human experts",
    "make repairs easier", "boost yields", "reduce waste", "extend range", "speed up diagnosis",
)

FIELDS = (
    "manufacturing", "medicine", "logistics", "energy markets", "city life", "farming",
    "finance", "science itself", "the job market", "education", "retail", "shipping",
)

PLACES = (
    "Berlin", "Tokyo", "São Paulo", "Nairobi", "Montréal", "Kraków", "Zürich", "Seoul",
    "Lagos", "Austin", "Bengaluru", "Rotterdam", "Düsseldorf", "Melbourne", "Reykjavík",
    "Singapore", "Mexico City", "Lyon", "Helsinki", "Cape Town", "Shenzhen", "Denver",
)

GOALS = (
    "win the next decade", "catch up with rivals", "meet climate targets", "cut its power bill",
    "beat the competition", "go fully automated", "serve a billion users", "stay independent",
)

REASONS = (
    "costs soar", "demand surges", "regulators circle", "funding dries up", "prices fall",
    "heat records tumble", "talent shortages bite", "a new law takes effect",
)

JOURNALS = ("Nature", "Science", "Cell", "Joule", "Nature Energy", "PNAS", "The Lancet", "Physical Review Letters")

HEADLINE_TEMPLATES = (
    "{actor} {verb} {subject} {qualifier}",
    "{actor} {verb} {subject} {qualifier}",
    "{Subject} could {outcome}, study finds",
    "How {subject} could reshape {field}",
    "{actor} bets on {subject} to {goal}",
    "{place} turns to {subject} as {reason}",
    "Inside the race to {outcome} with {subject}",
    "{Subject}: {actor} {verb} a new approach {qualifier}",
    "Why {subject} may {outcome} sooner than expected",
    "{number} things to know about {subject} in {year}",
    "{actor} in {place} {verb} {subject}",
    "The quiet rise of {subject} in {place}",
)

EXCERPT_SENTENCES = (
    "{actor} said the work on {subject} could {outcome} within {number} years.",
    "The results, published in {journal}, suggest {subject} can be deployed {qualifier}.",
    "Early trials in {place} showed a {number}% improvement over existing systems.",
    "Critics warn there are still hurdles before {subject} can {outcome}.",
    "The project, backed by {number} million euros in funding, aims to {goal}.",
    "Analysts expect demand for {subject} to grow as {reason}.",
    "\u201cThis is the first time we have seen {subject} work {qualifier},\u201d one of the authors said.",
    "The team now plans to test the approach in {place} and {place2}.",
    "It lets engineers study {subject} in detail, pixel by pixel, as conditions change.",
    "Competitors in {place} are racing to {outcome} as well.",
    "Questions remain about cost, safety and who will pay for {subject}.",
)

# Outlet names are built from these, and a few real-looking ones are added as they are.
OUTLET_FIRST = (
    "Daily", "Global", "Tech", "Science", "Future", "Metro", "Capital", "Northern", "Pacific",
    "Atlantic", "Open", "Digital", "Green", "Urban", "Modern", "Frontier", "Signal", "Bright",
    "Deep", "Clear", "Rapid", "Silicon", "Orbit", "Civic", "Harbor", "Summit", "Prairie",
    "Coastal", "Insight", "Pioneer",
)
OUTLET_SECOND = (
    "Times", "Wire", "Review", "Post", "Herald", "Journal", "Chronicle", "Report", "Observer",
    "Gazette", "Monitor", "Dispatch", "Ledger", "Beacon", "Insider", "Digest", "Tribune",
    "Bulletin", "Express", "Standard", "News", "Weekly", "Daily", "Lab", "Hub",
)
OUTLET_TLDS = (".com", ".com", ".com", ".org", ".net", ".co.uk", ".io", ".news", ".de", ".com.au")
REAL_OUTLETS = (
    ("Phys.org", "phys.org"),
    ("Nature", "nature.com"),
    ("SciTech Daily", "scitechdaily.com"),
    ("imveurope.com", "imveurope.com"),
    ("bahrainthisweek", "bahrainthisweek.com"),
)
SECTIONS = ("news", "technology", "science", "business", "world", "innovation", "article", "stories")
CATEGORIES = (("news", 70), ("science", 10), ("business", 8), ("technology", 8), ("opinion", 4))
TYPES = (("article", 90), ("video", 5), ("blog", 5))
TRACKING_QUERIES = (
    "utm_source=twitter&utm_medium=social&utm_campaign=share",
    "utm_source=newsletter&utm_medium=email",
    "fbclid=IwAR0x{hex}",
    "utm_source=rss&utm_medium=feed&utm_campaign=main",
    "ocid=msnews&cmpid=org={hex}",
)
# fmt: on
