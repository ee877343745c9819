"""The report's own words in English and Dutch.

Metric labels come from :mod:`sim.metrics`, parameter labels from :mod:`sim.params`, scenario texts from the
scenario files."""

from __future__ import annotations

from ..params import EVENT_LABELS, POLICY_LABELS

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "What leadership does to a team",
        "vs": "vs",
        "runs": "{n} scenarios, {k} runs each (seeds {first}-{last}), {weeks} weeks",
        "how_title": "How to read this report",
        "how": "Every scenario was simulated {k} times with different people (random seeds {first}-{last}); "
               "the same seed gives the same people in every scenario, so the scenarios differ only in what "
               "the file changes. Numbers are means over the runs, with the 95% confidence interval of the "
               "mean in brackets. In the figures the line is the mean and the band holds the middle 80% of "
               "runs.",
        "stories": "The scenarios",
        "what": "What it shows",
        "notice": "Things to notice",
        "try": "Things to try",
        "setup": "Set-up",
        "event_weeks": "{kind} in weeks {start}-{end} (strength {magnitude:g})",
        "policy_custom": "own settings",
        "policy_adjusted": ", adjusted",
        "headline": "Headline numbers",
        "headline_note": "Mean over runs [95% confidence interval]. The numbers at the end of the run are "
                         "those of orgsim compare for the same seeds.",
        "after_months": "After {months} months (week {week})",
        "after_weeks": "After {week} weeks (end of run)",
        "metric": "Measure",
        "over_time": "Over time",
        "over_time_note": "Engagement, burnout, output and trust week by week; dotted lines mark 3, 12 and "
                          "24 months. Output is a 4-week moving average (the data files keep every week).",
        "week": "Week",
        "band": "line = mean, band = middle 80% of runs",
        "months_short": "{m} mo",
        "manager_week": "The manager's week",
        "manager_week_note": "How the manager's hours are spent, week by week (mean over runs, 4-week moving "
                             "average). The dashed line is the contract week. The table gives the mean hours "
                             "in the last 13 weeks.",
        "hours": "Hours per week",
        "contract": "Contract hours",
        "activity": "Activity",
        "total": "Total",
        "last_quarter": "Hours per week, last 13 weeks",
        "zones": "The team's zone",
        "zones_note": "Edmondson's four zones cross psychological safety with standards: learning (both "
                      "high), comfort (safe, low standards), anxiety (unsafe, high standards) and apathy "
                      "(both low). The figure shows the share of runs (and teams) in each zone, week by "
                      "week, with the mean psychological safety as a black line (a team counts as safe from "
                      "50%, the dotted line); the table gives the shares in the final week.",
        "share_runs": "Share of runs",
        "zone_final": "Zone in week {week}",
        "files": "Files",
        "files_note": "Beside this report: {files}. {data} holds every week of every run (scenario, seed, "
                      "week, all measures), like compare.csv of orgsim compare.",
        "about": "About the model",
        "about_text": "orgsim {version} is an agent-based model (Mesa {mesa}) of a manager and a team, week "
                      "by week. Every rule is a small function named after its theory: Job Demands-Resources "
                      "(Bakker & Demerouti), Karasek's demand-control model, Maslach's burnout, "
                      "Self-Determination Theory (Deci & Ryan), trust after Mayer, Davis & Schoorman (1995), "
                      "situational leadership (Hersey & Blanchard) and psychological safety (Edmondson "
                      "1999). The full description is in docs/ODD.md. A model shows what follows from its "
                      "assumptions, not a forecast for a real team.",
        "reproduce": "Reproduce this report",
        "people": "{size} people",
        "teams": "{teams} teams of {size}",
    },
    "nl": {
        "title": "Wat leiderschap met een team doet",
        "vs": "vs",
        "runs": "{n} scenario's, elk {k} runs (seeds {first}-{last}), {weeks} weken",
        "how_title": "Zo lees je dit rapport",
        "how": "Elk scenario is {k} keer gesimuleerd met steeds andere mensen (toevalsgetallen "
               "{first}-{last}); hetzelfde getal geeft in elk scenario dezelfde mensen, dus de scenario's "
               "verschillen alleen in wat het bestand verandert. Getallen zijn gemiddelden over de runs, met "
               "tussen haken het 95%-betrouwbaarheidsinterval van het gemiddelde. In de figuren is de lijn "
               "het gemiddelde en bevat de band de middelste 80% van de runs.",
        "stories": "De scenario's",
        "what": "Wat het laat zien",
        "notice": "Let op",
        "try": "Probeer",
        "setup": "Opzet",
        "event_weeks": "{kind} in week {start}-{end} (sterkte {magnitude:g})",
        "policy_custom": "eigen instellingen",
        "policy_adjusted": ", aangepast",
        "headline": "De belangrijkste cijfers",
        "headline_note": "Gemiddelde over de runs [95%-betrouwbaarheidsinterval]. De cijfers aan het einde "
                         "van de run zijn die van orgsim compare met dezelfde seeds.",
        "after_months": "Na {months} maanden (week {week})",
        "after_weeks": "Na {week} weken (einde van de run)",
        "metric": "Maat",
        "over_time": "In de loop van de tijd",
        "over_time_note": "Bevlogenheid, burn-out, productie en vertrouwen per week; stippellijnen markeren "
                          "3, 12 en 24 maanden. Productie is een voortschrijdend gemiddelde over 4 weken (de "
                          "databestanden bevatten elke week).",
        "week": "Week",
        "band": "lijn = gemiddelde, band = middelste 80% van de runs",
        "months_short": "{m} mnd",
        "manager_week": "De week van de manager",
        "manager_week_note": "Waar de uren van de manager heen gaan, week na week (gemiddelde over de runs, "
                             "voortschrijdend gemiddelde over 4 weken). De streeplijn is de contractweek. De "
                             "tabel geeft de gemiddelde uren in de laatste 13 weken.",
        "hours": "Uren per week",
        "contract": "Contracturen",
        "activity": "Activiteit",
        "total": "Totaal",
        "last_quarter": "Uren per week, laatste 13 weken",
        "zones": "De zone van het team",
        "zones_note": "De vier zones van Edmondson zetten psychologische veiligheid af tegen de lat: "
                      "leerzone (beide hoog), comfortzone (veilig, lage lat), angstzone (onveilig, hoge lat) "
                      "en apathiezone (beide laag). De figuur toont per week het aandeel runs (en teams) in "
                      "elke zone, met de gemiddelde psychologische veiligheid als zwarte lijn (een team telt "
                      "als veilig vanaf 50%, de stippellijn); de tabel geeft de aandelen in de laatste week.",
        "share_runs": "Aandeel runs",
        "zone_final": "Zone in week {week}",
        "files": "Bestanden",
        "files_note": "Naast dit rapport: {files}. {data} bevat elke week van elke run (scenario, seed, "
                      "week, alle maten), net als compare.csv van orgsim compare.",
        "about": "Over het model",
        "about_text": "orgsim {version} is een agent-based model (Mesa {mesa}) van een manager en een team, "
                      "week na week. Elke regel is een kleine functie, genoemd naar haar theorie: Job "
                      "Demands-Resources (Bakker & Demerouti), het demand-control-model van Karasek, "
                      "burn-out volgens Maslach, zelfdeterminatietheorie (Deci & Ryan), vertrouwen volgens "
                      "Mayer, Davis & Schoorman (1995), situationeel leiderschap (Hersey & Blanchard) en "
                      "psychologische veiligheid (Edmondson 1999). De volledige beschrijving staat in "
                      "docs/ODD.md. Een model laat zien wat uit zijn aannames volgt; het is geen "
                      "voorspelling voor een echt team.",
        "reproduce": "Dit rapport opnieuw maken",
        "people": "{size} mensen",
        "teams": "{teams} teams van {size}",
    },
}

EVENT_NAMES = {lang: {kind: labels[k] for kind, labels in EVENT_LABELS.items()}
               for k, lang in enumerate(("en", "nl"))}
POLICY_NAMES = {lang: {name: labels[2 + k] for name, labels in POLICY_LABELS.items() if name != "custom"}
                for k, lang in enumerate(("en", "nl"))}
