/**
 * Word lists the generator draws people, companies and mail from. Every domain uses the reserved
 * .test TLD, so nothing generated can collide with a real organisation or be delivered anywhere.
 */
export const FIRST_NAMES = [
  "Alex", "Amira", "Anna", "Ben", "Bianca", "Carlos", "Chloe", "Dana", "David", "Elena", "Emil", "Erik", "Farah", "Felix",
  "Grace", "Hannah", "Hugo", "Ingrid", "Isaac", "Jonas", "Julia", "Karin", "Kenji", "Lars", "Lea", "Liam", "Lina", "Marco",
  "Maria", "Maya", "Mikael", "Nadia", "Nils", "Noah", "Olivia", "Omar", "Oscar", "Paula", "Priya", "Rafael", "Rosa", "Sam",
  "Sara", "Sofia", "Stefan", "Tara", "Theo", "Tomas", "Vera", "Victor", "Wei", "Yara", "Zoe", "Ahmed", "Astrid", "Bruno",
  "Camille", "Diego", "Elif", "Frida", "Goran", "Helena", "Ivan", "Jasmine", "Klara", "Leon", "Magnus", "Nora", "Petra",
];

export const LAST_NAMES = [
  "Andersson", "Berg", "Carter", "Dahl", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Khan", "Lindqvist",
  "Martin", "Nguyen", "Olsen", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka", "Utley", "Varga", "Weber", "Xu", "Young",
  "Zimmer", "Almeida", "Brennan", "Costa", "Dubois", "Ekström", "Fontaine", "Gallo", "Holm", "Ivanova", "Johansson",
  "Kowalski", "Larsen", "Moreau", "Nilsson", "Okafor", "Petrov", "Ramos", "Svensson", "Torres", "Underwood", "Vidal",
];

export const OWN_COMPANIES = [
  { name: "Northwind Success", slug: "northwind", brand: "Northwind Labs", brandSlug: "northwind-labs" },
  { name: "Bluefjord Software", slug: "bluefjord", brand: "Fjordly", brandSlug: "fjordly" },
  { name: "Kestrel Analytics", slug: "kestrel", brand: "Kestrel Cloud", brandSlug: "kestrelcloud" },
];

export const CUSTOMER_PREFIXES = [
  "Acme", "Alder", "Apex", "Aurora", "Beacon", "Birch", "Cobalt", "Contoso", "Crescent", "Delta", "Ember", "Evergreen",
  "Fabrikam", "Falcon", "Granite", "Harbor", "Helix", "Horizon", "Iris", "Juniper", "Keystone", "Lumen", "Maple", "Meridian",
  "Nimbus", "Nova", "Oak", "Onyx", "Orion", "Pacific", "Pinnacle", "Quartz", "Redwood", "Sable", "Sierra", "Summit",
  "Tailspin", "Terra", "Tidal", "Umber", "Vantage", "Vertex", "Willow", "Wingtip", "Zenith", "Alpine", "Boreal", "Cedar",
];

export const CUSTOMER_SUFFIXES = [
  "Foods", "Logistics", "Health", "Energy", "Retail", "Media", "Bank", "Insurance", "Robotics", "Pharma", "Travel",
  "Telecom", "Studios", "Manufacturing", "Consulting", "Labs", "Motors", "Textiles", "Systems", "Group",
];

export const NEWSLETTER_SENDERS = [
  { name: "SaaS Weekly", address: "newsletter@saasweekly.test", list: "saasweekly.test" },
  { name: "CS Leaders Digest", address: "digest@csleaders.test", list: "csleaders.test" },
  { name: "Cloud Status", address: "no-reply@cloudstatus.test", list: "cloudstatus.test" },
  { name: "Webinar Hub", address: "events@webinarhub.test", list: "webinarhub.test" },
  { name: "Growth Notes", address: "hello@growthnotes.test", list: "growthnotes.test" },
];

export const COLD_SENDERS = [
  { name: "Riley Outreach", address: "riley@leadgen-partners.test" },
  { name: "Talent Team", address: "jobs@recruitright.test" },
  { name: "Invoice Desk", address: "billing@paymentsportal.test" },
  { name: "Morgan Sales", address: "morgan@growthtools.test" },
];

export const FREEMAIL_DOMAINS = ["mailbox.test", "inbox-mail.test"];

export const CUSTOMER_SUBJECTS = [
  "Quarterly business review", "Renewal discussion", "Onboarding next steps", "Question about the reporting module",
  "Feature request: SSO", "Invoice clarification", "Training session for new users", "Follow-up from our call",
  "Integration timeline", "Usage report for last month", "Escalation: sync delays", "Contract amendment",
  "Workshop agenda", "Health check results", "Product roadmap preview", "Data export request",
];

export const INTERNAL_SUBJECTS = [
  "Account plan review", "Team sync notes", "Customer handover", "Pipeline update", "Churn risk list",
  "Holiday coverage", "Playbook draft", "Board deck numbers", "Weekly priorities", "Expansion opportunities",
];

export const NEWSLETTER_SUBJECTS = [
  "This week in customer success", "Your monthly product digest", "5 ideas to reduce churn", "Webinar invitation",
  "Service status summary", "New benchmarks report", "Release notes", "Upcoming events near you",
];

export const COLD_SUBJECTS = ["Quick question", "Partnership opportunity", "Your invoice is ready", "Open roles at our company"];

export const SENTENCES = [
  "Thanks for the update.", "Could we schedule a short call next week?", "Please find the summary below.",
  "I have shared the notes with the team.", "Let me know if anything is unclear.", "We are on track for the rollout.",
  "The numbers look good this month.", "Can you confirm the attendee list?", "I will follow up with finance.",
  "Our admins have a few questions about permissions.", "Attached is the latest version of the plan.",
  "We would like to expand to two more departments.", "The integration has been stable since Monday.",
  "Happy to walk you through the new dashboard.", "Looking forward to the workshop.", "Could you send the invoice again?",
];

export const MEETING_SUBJECTS = [
  "Kick-off", "Weekly check-in", "QBR", "Roadmap review", "Training", "Technical deep dive", "Renewal call",
  "Implementation sync", "Executive sponsor meeting", "Success plan workshop",
];

export const ROOMS = ["Room Aurora", "Room Borealis", "Room Cirrus"];
