"""The report's own words in English and Dutch.

Metric labels come from :mod:`sim.metrics`, parameter labels from :mod:`sim.params`, scenario texts from the
scenario files. The body speaks a team leader's language (no runs, seeds, options or file names); how the
report was made and how to make it again is in the appendix (keys starting ``app_``)."""

from __future__ import annotations

from ..params import EVENT_LABELS, POLICY_LABELS

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "What leadership does to a team",
        "and": "and",
        "same_team": "the same team of {size} people",
        "same_org": "the same organisation of {people} people",
        "period_years": "{n} years",
        "period_year": "one year",
        "period_weeks": "{n} weeks",
        "two": "two", "three": "three", "four": "four", "five": "five",
        "how_title": "How to read this handout",
        "how": "Each scenario was played out {k} times, each time with other people drawn from the same "
               "description; the same people meet every style, so the scenarios differ only in the "
               "leadership. The numbers are averages over those {k} teams. Scores go from 0 to 100 (below "
               "{low} is low, from {high} high); people are rounded to whole people; output is the share of "
               "the output target the team reaches.",
        "stories": "The scenarios",
        "what": "What it shows",
        "notice": "Things to notice",
        "try": "Things to try",
        "setup": "Set-up",
        "event_weeks": "{kind} in weeks {start}-{end} (strength {magnitude})",
        "policy_custom": "own settings",
        "policy_adjusted": ", adjusted",
        "headline": "The numbers that matter",
        "after_months": "After {months} months",
        "after_weeks": "After {week} weeks",
        "metric": "",
        "row_engagement": "Engagement (score)",
        "row_engaged_share": "Engaged people",
        "row_burnout_complaints_share": "People with burnout complaints",
        "row_output": "Output",
        "row_trust_in_manager": "Trust in the manager (score)",
        "row_leavers": "People who left",
        "over_time": "Week by week",
        "over_time_note": "Engagement, burnout complaints, output and trust in the manager week by week; the "
                          "line is the average, the band holds the middle 80% of the teams; dotted lines mark "
                          "3, 12 and 24 months. Output is averaged over 4 weeks.",
        "week": "Week",
        "band": "line = average, band = middle 80% of the teams",
        "months_short": "{m} mo",
        "score_axis": "score (0-100)",
        "percent_axis": "% of the people",
        "target_axis": "% of target",
        "manager_week": "The manager's week",
        "manager_week_note": "Where the manager's hours go, week by week (averaged over 4 weeks). The dashed "
                             "line is the contract week. The table gives the average hours in the last 13 weeks.",
        "hours": "Hours per week",
        "contract": "Contract hours",
        "total": "Total",
        "last_quarter": "Hours per week, last 13 weeks",
        "zones": "The team's zone",
        "zones_note": "Edmondson's four zones cross psychological safety with standards: learning (both "
                      "high), comfort (safe, low standards), anxiety (unsafe, high standards) and apathy "
                      "(both low). The map shows where each team is and where it moves: left to right its "
                      "psychological safety, bottom to top the standards; the dots mark the start and 3, 12 "
                      "and 24 months. The bars show, quarter by quarter, the share of weeks the teams spent in "
                      "each zone.",
        "zone_map": "Where the team is",
        "zone_bars": "Weeks in each zone, per quarter",
        "quarter": "Quarter",
        "share_weeks": "% of weeks",
        "safety_axis": "Psychological safety (0-100)",
        "standards_axis": "Standards (0-100)",
        "zone_final": "Zone in week {week}",
        "start": "start",
        "people": "{size} people",
        "teams": "{teams} teams of {size}",
        "appendix": "Appendix: how this handout was made",
        "app_runs": "{n} scenarios, each run with seeds {first}-{last} ({k} runs), {weeks} weeks. Every run "
                    "is fully determined by its scenario and seed: the same seed gives the same people in "
                    "every scenario and the same numbers on every computer.",
        "app_ci": "The 95% confidence intervals of the averages, and the model's own values (0-1 scales, "
                  "leavers as a mean over runs), are in {headline}.",
        "app_files": "Files beside this handout: {files}. {data} holds every week of every run (scenario, "
                     "seed, week, all measures), like compare.csv of orgsim compare.",
        "app_reproduce": "Make this handout again",
        "app_try": "The suggestions under 'Things to try' on the command line",
        "about": "About the model",
        "about_text": "orgsim {version} is an agent-based model (Mesa {mesa}) of a manager and a team, week "
                      "by week. Every rule is a small function named after its theory: Job Demands-Resources "
                      "(Bakker & Demerouti), Karasek's demand-control model, Maslach's burnout, "
                      "Self-Determination Theory (Deci & Ryan), trust after Mayer, Davis & Schoorman (1995), "
                      "situational leadership (Hersey & Blanchard) and psychological safety (Edmondson "
                      "1999). The full description is in docs/ODD.md. A model shows what follows from its "
                      "assumptions, not a forecast for a real team.",
    },
    "nl": {
        "title": "Wat leiderschap met een team doet",
        "and": "en",
        "same_team": "hetzelfde team van {size} mensen",
        "same_org": "dezelfde organisatie van {people} mensen",
        "period_years": "{n} jaar",
        "period_year": "één jaar",
        "period_weeks": "{n} weken",
        "two": "twee", "three": "drie", "four": "vier", "five": "vijf",
        "how_title": "Zo lees je dit overzicht",
        "how": "Elk scenario is {k} keer doorgespeeld, steeds met andere mensen volgens dezelfde beschrijving; "
               "dezelfde mensen krijgen elke stijl, dus de scenario's verschillen alleen in het leiderschap. "
               "De getallen zijn gemiddelden over die {k} teams. Scores lopen van 0 tot 100 (onder {low} is "
               "laag, vanaf {high} hoog); mensen zijn afgerond op hele mensen; productie is het deel van de "
               "productienorm dat het team haalt.",
        "stories": "De scenario's",
        "what": "Wat het laat zien",
        "notice": "Let op",
        "try": "Probeer",
        "setup": "Opzet",
        "event_weeks": "{kind} in week {start}-{end} (sterkte {magnitude})",
        "policy_custom": "eigen instellingen",
        "policy_adjusted": ", aangepast",
        "headline": "De cijfers die ertoe doen",
        "after_months": "Na {months} maanden",
        "after_weeks": "Na {week} weken",
        "metric": "",
        "row_engagement": "Bevlogenheid (score)",
        "row_engaged_share": "Bevlogen medewerkers",
        "row_burnout_complaints_share": "Medewerkers met burn-outklachten",
        "row_output": "Productie",
        "row_trust_in_manager": "Vertrouwen in de manager (score)",
        "row_leavers": "Vertrokken medewerkers",
        "over_time": "Week na week",
        "over_time_note": "Bevlogenheid, burn-outklachten, productie en vertrouwen in de manager per week; de "
                          "lijn is het gemiddelde, de band bevat de middelste 80% van de teams; stippellijnen "
                          "markeren 3, 12 en 24 maanden. Productie is gemiddeld over 4 weken.",
        "week": "Week",
        "band": "lijn = gemiddelde, band = middelste 80% van de teams",
        "months_short": "{m} mnd",
        "score_axis": "score (0-100)",
        "percent_axis": "% van de mensen",
        "target_axis": "% van de norm",
        "manager_week": "De week van de manager",
        "manager_week_note": "Waar de uren van de manager heen gaan, week na week (gemiddeld over 4 weken). De "
                             "streeplijn is de contractweek. De tabel geeft de gemiddelde uren in de laatste 13 "
                             "weken.",
        "hours": "Uren per week",
        "contract": "Contracturen",
        "total": "Totaal",
        "last_quarter": "Uren per week, laatste 13 weken",
        "zones": "De zone van het team",
        "zones_note": "De vier zones van Edmondson zetten psychologische veiligheid af tegen de lat: "
                      "leerzone (beide hoog), comfortzone (veilig, lage lat), angstzone (onveilig, hoge lat) "
                      "en apathiezone (beide laag). De kaart toont waar elk team zit en waar het heen gaat: "
                      "van links naar rechts de psychologische veiligheid, van onder naar boven de lat; de "
                      "stippen markeren de start en 3, 12 en 24 maanden. De balken tonen per kwartaal welk "
                      "deel van de weken de teams in elke zone doorbrachten.",
        "zone_map": "Waar het team zit",
        "zone_bars": "Weken in elke zone, per kwartaal",
        "quarter": "Kwartaal",
        "share_weeks": "% van de weken",
        "safety_axis": "Psychologische veiligheid (0-100)",
        "standards_axis": "Lat (0-100)",
        "zone_final": "Zone in week {week}",
        "start": "start",
        "people": "{size} mensen",
        "teams": "{teams} teams van {size}",
        "appendix": "Bijlage: zo is dit overzicht gemaakt",
        "app_runs": "{n} scenario's, elk gedraaid met seeds {first}-{last} ({k} runs), {weeks} weken. Elke run "
                    "ligt vast door zijn scenario en seed: dezelfde seed geeft in elk scenario dezelfde mensen "
                    "en op elke computer dezelfde getallen.",
        "app_ci": "De 95%-betrouwbaarheidsintervallen van de gemiddelden en de eigen waarden van het model "
                  "(schalen 0-1, vertrokken als gemiddelde over de runs) staan in {headline}.",
        "app_files": "Bestanden naast dit overzicht: {files}. {data} bevat elke week van elke run (scenario, "
                     "seed, week, alle maten), net als compare.csv van orgsim compare.",
        "app_reproduce": "Dit overzicht opnieuw maken",
        "app_try": "De suggesties onder 'Probeer' op de opdrachtregel",
        "about": "Over het model",
        "about_text": "orgsim {version} is een agent-based model (Mesa {mesa}) van een manager en een team, "
                      "week na week. Elke regel is een kleine functie, genoemd naar haar theorie: Job "
                      "Demands-Resources (Bakker & Demerouti), het demand-control-model van Karasek, "
                      "burn-out volgens Maslach, zelfdeterminatietheorie (Deci & Ryan), vertrouwen volgens "
                      "Mayer, Davis & Schoorman (1995), situationeel leiderschap (Hersey & Blanchard) en "
                      "psychologische veiligheid (Edmondson 1999). De volledige beschrijving staat in "
                      "docs/ODD.md. Een model laat zien wat uit zijn aannames volgt; het is geen "
                      "voorspelling voor een echt team.",
    },
}

EVENT_NAMES = {lang: {kind: labels[k] for kind, labels in EVENT_LABELS.items()}
               for k, lang in enumerate(("en", "nl"))}
POLICY_NAMES = {lang: {name: labels[2 + k] for name, labels in POLICY_LABELS.items() if name != "custom"}
                for k, lang in enumerate(("en", "nl"))}
