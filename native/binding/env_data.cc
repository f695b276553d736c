#include "binding/env_data.h"

namespace mcs::binding {

EnvData& env_data(Napi::Env env) {
  EnvData* d = env.GetInstanceData<EnvData>();
  if (d == nullptr) {
    d = new EnvData();
    env.SetInstanceData(d);  // deleted by napi when the environment goes away
  }
  return *d;
}

void remember_class(Napi::Env env, const std::string& name, Napi::Function ctor) {
  env_data(env).classes[name] = Napi::Persistent(ctor);
}

bool is_instance(const Napi::Value& value, const std::string& class_name) {
  if (!value.IsObject()) return false;
  auto& classes = env_data(value.Env()).classes;
  auto it = classes.find(class_name);
  return it != classes.end() && value.As<Napi::Object>().InstanceOf(it->second.Value());
}

}  // namespace mcs::binding
