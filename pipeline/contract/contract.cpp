#include "pipeline/contract/contract.h"

namespace ef::pipeline {
namespace {

// The field of `from` that `field` continues (same name, or renamed_from), or null.
const ContractField* Predecessor(const ContractVersion& from, const ContractField& field) {
  if (!field.renamed_from.empty()) return from.Find(field.renamed_from);
  return from.Find(field.name);
}

bool Successor(const ContractVersion& to, const ContractField& field) {
  for (const ContractField& f : to.fields) {
    if (f.name == field.name || f.renamed_from == field.name) return true;
  }
  return false;
}

void CheckStep(const Contract& c, const ContractVersion& from, const ContractVersion& to,
               ConfigErrors& errors) {
  const std::string step = "contract '" + c.name + "' version " + std::to_string(to.version) +
                           " is not backward compatible with version " +
                           std::to_string(from.version) + ": ";
  const std::string fix = " (or mark the version breaking = true)";
  for (const ContractField& old : from.fields) {
    if (old.required && !Successor(to, old)) {
      errors.Add(to.pos, step + "it removes the required field '" + old.name + "'" + fix);
    }
  }
  for (const ContractField& f : to.fields) {
    const ContractField* old = Predecessor(from, f);
    if (old == nullptr) {
      if (f.required && !f.default_value) {
        errors.Add(f.pos, step + "new field '" + f.name +
                              "' is required without a default; old producers do not send "
                              "it (make it optional with a default)" + fix);
      }
      continue;
    }
    const bool widened = old->type == FieldType::kInt && f.type == FieldType::kFloat;
    if (old->type != f.type && !widened) {
      errors.Add(f.pos, step + "field '" + f.name + "' changes type from " +
                            std::string(FieldTypeName(old->type)) + " to " +
                            std::string(FieldTypeName(f.type)) +
                            " (only int -> float widens)" + fix);
    }
    if (!old->required && f.required && !f.default_value) {
      errors.Add(f.pos, step + "field '" + f.name + "' becomes required without a default" + fix);
    }
  }
}

}  // namespace

void CheckEvolution(const Contract& contract, ConfigErrors& errors) {
  for (size_t i = 1; i < contract.versions.size(); ++i) {
    if (contract.versions[i].breaking) continue;
    CheckStep(contract, contract.versions[i - 1], contract.versions[i], errors);
  }
}

}  // namespace ef::pipeline
