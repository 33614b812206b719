"""Seed the topic taxonomy: specialties, the seven CanMEDS roles and learner levels.

Frozen here on purpose: a later change to the taxonomy is a new migration, never an edit of this one."""

from django.db import migrations

SPECIALTIES = [
    ("emergency-medicine", "Emergency medicine", ""),
    ("critical-care", "Critical care", ""),
    ("paediatrics", "Paediatrics", ""),
    ("paediatric-emergency-medicine", "Paediatric emergency medicine", "paediatrics"),
    ("toxicology", "Toxicology", ""),
    ("resuscitation", "Resuscitation", ""),
    ("airway", "Airway management", "resuscitation"),
    ("trauma", "Trauma", ""),
    ("cardiology", "Cardiology", ""),
    ("ecg", "ECG interpretation", "cardiology"),
    ("respiratory", "Respiratory medicine", ""),
    ("neurology", "Neurology", ""),
    ("infectious-disease", "Infectious disease", ""),
    ("sepsis", "Sepsis", "infectious-disease"),
    ("anaesthesia", "Anaesthesia", ""),
    ("prehospital", "Prehospital and retrieval medicine", ""),
    ("ultrasound", "Point-of-care ultrasound", ""),
    ("radiology", "Radiology", ""),
    ("obstetrics-gynaecology", "Obstetrics and gynaecology", ""),
    ("orthopaedics", "Orthopaedics", ""),
    ("nephrology", "Nephrology", ""),
    ("endocrinology", "Endocrinology", ""),
    ("gastroenterology", "Gastroenterology", ""),
    ("haematology-oncology", "Haematology and oncology", ""),
    ("psychiatry", "Psychiatry", ""),
    ("geriatrics", "Geriatric medicine", ""),
    ("dermatology", "Dermatology", ""),
    ("ent", "Ear, nose and throat", ""),
    ("ophthalmology", "Ophthalmology", ""),
    ("wilderness-medicine", "Wilderness and environmental medicine", ""),
    ("medical-education", "Medical education", ""),
    ("evidence-based-medicine", "Evidence-based medicine", ""),
]
CANMEDS_ROLES = [
    ("medical-expert", "Medical Expert"),
    ("communicator", "Communicator"),
    ("collaborator", "Collaborator"),
    ("leader", "Leader"),
    ("health-advocate", "Health Advocate"),
    ("scholar", "Scholar"),
    ("professional", "Professional"),
]
LEARNER_LEVELS = [
    ("medical-student", "Medical student"),
    ("junior-resident", "Junior resident"),
    ("senior-resident", "Senior resident"),
    ("attending", "Attending / consultant"),
    ("nursing", "Nursing"),
    ("paramedic", "Paramedic"),
    ("continuing-professional-development", "Continuing professional development"),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("curation", "Topic")
    by_slug = {}
    for slug, name, parent in SPECIALTIES:
        topic, _ = Topic.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": "specialty", "parent": by_slug.get(parent)}
        )
        by_slug[slug] = topic
    for slug, name in CANMEDS_ROLES:
        Topic.objects.update_or_create(slug=slug, defaults={"name": name, "kind": "canmeds_role"})
    for slug, name in LEARNER_LEVELS:
        Topic.objects.update_or_create(slug=slug, defaults={"name": name, "kind": "learner_level"})


def unseed(apps, schema_editor):
    Topic = apps.get_model("curation", "Topic")
    slugs = [row[0] for row in SPECIALTIES + CANMEDS_ROLES + LEARNER_LEVELS]
    Topic.objects.filter(slug__in=slugs, parent__isnull=False).delete()
    Topic.objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [("curation", "0001_initial_domain")]
    operations = [migrations.RunPython(seed, unseed)]
