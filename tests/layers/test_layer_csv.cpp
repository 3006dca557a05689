// The layer file reader: a good file with columns in an odd order and label columns, and one file per kind of bad
// line, each error naming file and line.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "layers/layer.hpp"
#include "layers/layer_csv.hpp"
#include "temp_tree.hpp"

namespace layer_energy::layers {
namespace {

using test::TempTree;

const std::string kFixtures = std::string(LAYER_ENERGY_FIXTURES) + "/layers";

// The message read_layer_csv throws, or "" when it does not throw.
std::string error_of(const std::string& path) {
  try {
    read_layer_csv(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(LayerCsv, ReadsColumnsByNameInAnyOrder) {
  const std::vector<Layer> layers = read_layer_csv(kFixtures + "/good.csv");
  ASSERT_EQ(layers.size(), 5u);

  const Layer& stem = layers[0];
  EXPECT_EQ(stem.type, LayerType::conv);
  EXPECT_EQ(case_name(stem), "Conv/N:1/C:3/H:224/W:224/K:64/R:7/S:7/stride:2/pad:3/groups:1");
  EXPECT_EQ(stem.label, "conv1");
  EXPECT_EQ(stem.extra, (std::map<std::string, std::string>{{"name", "conv1"}, {"note", "stem"}}));

  // An empty extra field is "not given": not kept.
  EXPECT_EQ(layers[1].label, "layer1.0.conv1");
  EXPECT_EQ(layers[1].extra.count("note"), 0u);

  const Layer& dw = layers[2];
  EXPECT_EQ(case_name(dw), "Conv/N:8/C:32/H:112/W:112/K:32/R:3/S:3/stride:2/pad:1/groups:32");
  EXPECT_EQ(dw.extra.at("note"), "depthwise, stride 2");  // quoted field with a comma

  // Empty stride, pad, groups take their defaults; W and S stay apart from H and R.
  EXPECT_EQ(case_name(layers[3]), "Conv/N:2/C:8/H:12/W:10/K:16/R:3/S:5/stride:1/pad:0/groups:1");

  const Layer& classifier = layers[4];
  EXPECT_EQ(classifier.type, LayerType::fc);
  EXPECT_EQ(case_name(classifier), "FC/N:8/in:512/out:1000");
  EXPECT_EQ(classifier.label, "fc");
  EXPECT_EQ(classifier.extra.at("note"), "classifier");
}

TEST(LayerCsv, HandlesCrlfByteOrderMarkQuotesAndSpaces) {
  TempTree tree(kFixtures);
  tree.write("/crlf.csv",
             "\xEF\xBB\xBFtype, N, in, out, name\r\n"
             "# a comment\r\n"
             "\r\n"
             "fc, 2, 100, 10, \"a \"\"quoted\"\" name\"\r\n"
             "FC,1,3,4,\r\n");
  const std::vector<Layer> layers = read_layer_csv(tree / "/crlf.csv");
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(case_name(layers[0]), "FC/N:2/in:100/out:10");
  EXPECT_EQ(layers[0].label, "a \"quoted\" name");
  EXPECT_EQ(case_name(layers[1]), "FC/N:1/in:3/out:4");
  EXPECT_EQ(layers[1].label, "");
  EXPECT_TRUE(layers[1].extra.empty());
}

struct BadFile {
  const char* case_name;
  const char* text;
  const char* line;     // the ":LINE: " the message must carry, or "" for a file-level error
  const char* message;  // what follows
};

class LayerCsvBad : public ::testing::TestWithParam<BadFile> {};

TEST_P(LayerCsvBad, NamesFileAndLine) {
  const BadFile& bad = GetParam();
  TempTree tree(kFixtures);
  tree.write("/bad.csv", bad.text);
  const std::string path = tree / "/bad.csv";
  EXPECT_EQ(error_of(path), path + bad.line + bad.message);
}

const std::string kConvHeader = "type,N,C,H,W,K,R,S,stride,pad,groups\n";

INSTANTIATE_TEST_SUITE_P(
    Kinds, LayerCsvBad,
    ::testing::Values(
        BadFile{"MissingRequiredValue", "type,N,C,H,W,K,R,S\nconv,1,3,8,8,4,3,3\nconv,1,3,8,8,,3,3\n",
                ":3: ", "conv needs a value in column 'K'"},
        BadFile{"MissingRequiredColumn", "name,type,N,C,H,W,K,S\nx,conv,1,3,8,8,4,3\n",
                ":2: ", "conv needs a value in column 'R'"},
        BadFile{"FcMissingOut", "type,N,in,out\nfc,1,10,\n", ":2: ", "fc needs a value in column 'out'"},
        BadFile{"NotAnInteger", "type,N,C,H,W,K,R,S\nconv,1,3.5,8,8,4,3,3\n",
                ":2: ", "column 'C': '3.5' is not an integer"},
        BadFile{"NotAnIntegerOptional", "type,N,C,H,W,K,R,S,stride\nconv,1,3,8,8,4,3,3,two\n",
                ":2: ", "column 'stride': 'two' is not an integer"},
        BadFile{"UnknownType", "type,N,in,out\npool,1,2,3\n",
                ":2: ", "column 'type': unknown layer type 'pool' (conv or fc)"},
        BadFile{"EmptyType", "type,N,in,out\n,1,2,3\n", ":2: ", "no value in column 'type' (conv or fc)"},
        BadFile{"InvalidGeometry", "type,N,C,H,W,K,R,S,groups\nconv,1,3,8,8,4,3,3,2\n",
                ":2: ", "C=3 is not divisible by groups=2"},
        BadFile{"OutputTooSmall", "type,N,C,H,W,K,R,S\nconv,1,3,2,8,4,3,3\n",
                ":2: ", "output height P=0 is less than 1 (H=2, R=3, pad=0, stride=1)"},
        BadFile{"NegativePad", "type,N,C,H,W,K,R,S,pad\nconv,1,3,8,8,4,3,3,-1\n",
                ":2: ", "pad=-1 must not be negative"},
        BadFile{"LineNumbersCountCommentsAndBlanks", "# comment\n\ntype,N,in,out\n# another\n\nfc,1,2,3\nfc,1,0,3\n",
                ":7: ", "in=0 must be positive"},
        BadFile{"TooManyFields", "type,N,in,out\nfc,1,2,3,4\n", ":2: ", "5 fields, but the header has 4"},
        BadFile{"TooFewFields", "type,N,in,out\nfc,1,2\n", ":2: ", "3 fields, but the header has 4"},
        BadFile{"UnterminatedQuote", "type,N,in,out,name\nfc,1,2,3,\"open\n", ":2: ", "unterminated quote"},
        BadFile{"DuplicateColumn", "type,N,in,out,N\n", ":1: ", "header names column 'N' twice"},
        BadFile{"EmptyColumnName", "type,N,,out\n", ":1: ", "header column 3 has no name"},
        BadFile{"NoTypeColumn", "kind,N,in,out\nfc,1,2,3\n", "", ": no 'type' column"},
        BadFile{"TypeIsCaseSensitive", "Type,N,in,out\nfc,1,2,3\n", ":1: ",
                "header column 'Type': did you mean 'type'? (column names are case-sensitive)"},
        BadFile{"MiscasedGeometryIsNotALabel", "type,N,C,H,W,K,R,S,Stride\nconv,1,3,8,8,4,3,3,2\n", ":1: ",
                "header column 'Stride': did you mean 'stride'? (column names are case-sensitive)"},
        BadFile{"LowercaseBatch", "type,n,in,out\nfc,1,2,3\n", ":1: ",
                "header column 'n': did you mean 'N'? (column names are case-sensitive)"},
        BadFile{"HeaderOnly", "type,N,in,out\n# nothing else\n", "", ": no layers (only a header)"},
        BadFile{"Empty", "\n# only a comment\n", "", ": no header row"}),
    [](const ::testing::TestParamInfo<BadFile>& p) { return std::string(p.param.case_name); });

TEST(LayerCsv, MissingFile) {
  const std::string path = kFixtures + "/does-not-exist.csv";
  EXPECT_EQ(error_of(path), path + ": cannot open");
}

}  // namespace
}  // namespace layer_energy::layers
