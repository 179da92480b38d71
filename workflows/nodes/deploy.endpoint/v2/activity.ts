import definition from "./definition";
import { defineActivity } from "../../step-context";
import { deploy, type DeployConfig } from "../deploy";

export default defineActivity<DeployConfig>(definition, deploy);
